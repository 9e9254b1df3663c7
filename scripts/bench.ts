// npm run bench: per arch, portmatrix's wall time per cell against a raw
// `qemu-system-<arch>` boot of the same kernel and the same initramfs to poweroff.
// Runs are interleaved (raw, portmatrix, raw, ...) because this machine is noisy.
//
//   npm run bench -- [--arches amd64,arm64,s390x] [--rounds 3] [--kernel debian:trixie]

import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { main } from '../src/cli.js';
import { initScript } from '../src/guest/init-script.js';
import { buildInitramfs } from '../src/guest/initramfs.js';
import { createImageStore, defaultImageOptions } from '../src/images/store.js';
import type { Arch } from '../src/core/arch.js';
import { qemuCommand } from '../src/vm/profiles.js';
import { PassThrough } from 'node:stream';

const { values } = parseArgs({
  options: {
    arches: { type: 'string', default: 'amd64,arm64,s390x' },
    rounds: { type: 'string', default: '3' },
    kernel: { type: 'string', default: 'debian:trixie' },
  },
});
const arches = values.arches.split(',') as Arch[];
const rounds = Number(values.rounds);
const LOADER = '#!/bin/sh\necho ok\n';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

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
  const code = await main(['run', '--accel', 'tcg', '--only', `arch=${arch}`, '--reporter', 'json'], {
    cwd: dir,
    env: { ...process.env, CI: 'true' },
    stdout: sink,
    stderr: sink,
    signal: new AbortController().signal,
  });
  if (code !== 0) throw new Error(`portmatrix run exited ${code} for ${arch}`);
  return performance.now() - t0;
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-bench-'));
await writeFile(path.join(dir, 'loader.sh'), LOADER);
await chmod(path.join(dir, 'loader.sh'), 0o755);
await writeFile(path.join(dir, 'matrix.yaml'), `kernels: [${values.kernel}]\narches: [${arches.join(', ')}]\nloader:\n  path: ./loader.sh\n`);
const store = createImageStore(defaultImageOptions(process.env, dir, {}));

console.log(`kernel ${values.kernel}, ${rounds} rounds, TCG, one cell at a time`);
console.log('arch    raw qemu (median)  portmatrix (median)  ratio');
for (const arch of arches) {
  const kernel = await store.kernel(values.kernel, arch);
  const init = initScript({ token: '0123456789abcdef', args: [], env: {}, timeoutSec: 60, sysctl: {} });
  const initrd = path.join(dir, `${arch}.cpio.gz`);
  await writeFile(initrd, await buildInitramfs({ arch, busybox: await store.busybox(arch), loader: path.join(dir, 'loader.sh'), files: [], init }));
  const { binary, args } = qemuCommand({ arch, accel: 'tcg', kernel: kernel.kernelPath, initrd, cmdline: [], memoryMiB: 512, cpus: 1, network: false });
  await portmatrixCell(dir, arch); // warm-up: lock file, caches, module loading
  const raw: number[] = [];
  const pm: number[] = [];
  for (let i = 0; i < rounds; i++) {
    raw.push(await rawBoot(binary, args));
    pm.push(await portmatrixCell(dir, arch));
  }
  const r = median(raw);
  const p = median(pm);
  console.log(`${arch.padEnd(7)} ${(r / 1000).toFixed(2).padStart(8)} s          ${(p / 1000).toFixed(2).padStart(8)} s          ${(p / r).toFixed(2)}x`);
}
await rm(dir, { recursive: true, force: true });
