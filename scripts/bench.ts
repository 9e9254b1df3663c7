// npm run bench: per arch, portmatrix's wall time per cell (cold boots) against a raw
// `qemu-system-<arch>` boot of the same kernel with the same guest in one initramfs,
// to poweroff. Runs are interleaved (raw, portmatrix, raw, ...) because this machine is noisy.
// --snapshot instead compares cold and restored cells (scripts/bench-snapshot.ts).
// Each table also replaces its section of docs/benchmarks.md (scripts/bench-doc.ts),
// unless --print-only.
//
//   npm run bench -- [--arches amd64,arm64,s390x] [--rounds 3] [--kernel debian:trixie]
//   npm run bench -- --snapshot [--loader PATH-with-{goarch}] [--arches ...] [--rounds 3] [--example]
//   npm run bench -- --suite [--arches ...] [--rounds 3]   (one test vs ten in a cell: scripts/bench-suite.ts)

import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { main } from '../src/cli.js';
import type { Arch } from '../src/core/arch.js';
import { baseInit } from '../src/guest/base-init.js';
import { writeCpio } from '../src/guest/cpio.js';
import { baseInitramfsEntries, cellHelperPath } from '../src/guest/initramfs.js';
import { suiteInputEntries } from '../src/guest/suite-inputs.js';
import { suiteScript } from '../src/guest/suite-script.js';
import { stepOf } from '../src/guest/test-steps.js';
import { createImageStore, defaultImageOptions } from '../src/images/store.js';
import { qemuCommand } from '../src/vm/profiles.js';
import { commandLine, recordBench } from './bench-doc.js';
import { benchExampleMatrix, benchSnapshot } from './bench-snapshot.js';
import { benchSuite } from './bench-suite.js';

const { values } = parseArgs({
  options: {
    arches: { type: 'string', default: 'amd64,arm64,s390x' },
    rounds: { type: 'string', default: '3' },
    kernel: { type: 'string', default: 'debian:trixie' },
    snapshot: { type: 'boolean', default: false },
    /** With --snapshot: also the example matrix with and without snapshots, as whole runs. */
    example: { type: 'boolean', default: false },
    /** One test vs ten tests in one cell, cold and restored. */
    suite: { type: 'boolean', default: false },
    loader: { type: 'string' },
    /** Print the figures only; leave docs/benchmarks.md as it is. */
    'print-only': { type: 'boolean', default: false },
  },
});
const arches = values.arches.split(',') as Arch[];
const rounds = Number(values.rounds);
const LOADER = '#!/bin/sh\necho ok\n';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Puts a bench's table into its section of docs/benchmarks.md, naming this command. */
async function record(name: string, lines: string[]): Promise<void> {
  if (values['print-only']) return;
  const file = await recordBench({ name, command: commandLine('npm run bench', '--'), lines });
  console.log(`figures written to ${path.relative(process.cwd(), file)} (section ${name})`);
}

async function rawBoot(binary: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
  return performance.now() - t0;
}

/** One portmatrix run of a single-cell matrix, in-process through the real CLI. */
async function portmatrixCell(dir: string, arch: Arch): Promise<number> {
  const sink = new PassThrough().resume();
  const t0 = performance.now();
  const code = await main(['run', '--allow-outside-project', '--accel', 'tcg', '--no-snapshot', '--only', `arch=${arch}`, '--reporter', 'json'], {
    cwd: dir,
    env: { ...process.env, CI: 'true' },
    stdout: sink,
    stderr: sink,
    signal: new AbortController().signal,
  });
  if (code !== 0) throw new Error(`portmatrix run exited ${code} for ${arch}`);
  return performance.now() - t0;
}

if (values.suite) {
  await record('suite', await benchSuite({ arches, rounds, kernel: values.kernel, log: (l) => console.log(l) }));
  process.exit(0);
}

if (values.snapshot) {
  const log = (l: string) => console.log(l);
  const { kernel, loader } = values;
  await record('snapshot', await benchSnapshot({ arches, rounds, kernel, loader, accel: 'tcg', log }));
  const repoRoot = path.resolve(import.meta.dirname, '..');
  if (values.example) await record('example', await benchExampleMatrix({ repoRoot, log }));
  process.exit(0);
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-bench-'));
await writeFile(path.join(dir, 'loader.sh'), LOADER);
await chmod(path.join(dir, 'loader.sh'), 0o755);
await writeFile(path.join(dir, 'matrix.yaml'), `kernels: [${values.kernel}]\narches: [${arches.join(', ')}]\nloader:\n  path: ./loader.sh\n`);
const store = createImageStore(defaultImageOptions(process.env, dir, {}));

console.log(`kernel ${values.kernel}, ${rounds} rounds, TCG, one cell at a time`);
const table = ['arch    raw qemu (median)  portmatrix (median)  ratio'];
console.log(table[0]);
for (const arch of arches) {
  const kernel = await store.kernel(values.kernel, arch);
  const spec = {
    name: 'loader',
    kind: 'exec' as const,
    path: path.join(dir, 'loader.sh'),
    args: [],
    env: {},
    files: [],
    workdir: '',
    timeoutSec: 60,
  };
  const script = suiteScript({ token: '0123456789abcdef', tests: [{ index: 0, step: stepOf(spec, 0) }], sysctl: {} });
  // The raw boot: base and inputs in one initramfs, /init running the cell at once.
  const busybox = await store.busybox(arch);
  const base = await baseInitramfsEntries({
    arch,
    busybox,
    cellHelper: cellHelperPath(arch),
    init: baseInit({ inline: true }),
  });
  const inputs = await suiteInputEntries({ arch, tests: [{ index: 0, spec }], script });
  const initrd = path.join(dir, `${arch}.cpio.gz`);
  await writeFile(initrd, gzipSync(writeCpio([...base, ...inputs]), { level: 1 }));
  const { binary, args } = qemuCommand({
    arch,
    accel: 'tcg',
    kernel: kernel.kernelPath,
    initrd,
    cmdline: [],
    memoryMiB: 512,
    cpus: 1,
    network: false,
  });
  await portmatrixCell(dir, arch); // warm-up: lock file, caches, module loading
  const raw: number[] = [];
  const pm: number[] = [];
  for (let i = 0; i < rounds; i++) {
    raw.push(await rawBoot(binary, args));
    pm.push(await portmatrixCell(dir, arch));
  }
  const r = median(raw);
  const p = median(pm);
  const secs = (ms: number) => `${(ms / 1000).toFixed(2).padStart(8)} s`;
  table.push(`${arch.padEnd(7)} ${secs(r)}          ${secs(p)}          ${(p / r).toFixed(2)}x`);
  console.log(table.at(-1));
}
await rm(dir, { recursive: true, force: true });
await record('raw', table);
