// The two VM backends on the same amd64 cell: `vm.backend: qemu` (portmatrix's
// own QEMU argv + initramfs) against `vm.backend: vng` (virtme-ng boots the same
// kernel with the host's root filesystem, then runs the same initramfs chrooted).
// Both go through the real CLI, in-process, one cell at a time, interleaved
// (qemu, vng, qemu, ...) because this machine is shared and noisy. Prints the
// medians of the wall time per cell and of the boot (spawn → loader-start frame), and
// writes them into the `vng` section of docs/benchmarks.md (unless --print-only).
//
//   node --import tsx scripts/bench-vng.ts [--rounds 3] [--kernel debian:trixie] [--loader PATH] [--accel tcg|kvm]
// Needs scripts/install-vng.

import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parseArgs } from 'node:util';
import { main } from '../src/cli.js';
import type { RunResults } from '../src/results/model.js';
import { commandLine, recordBench } from './bench-doc.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    kernel: { type: 'string', default: 'debian:trixie' },
    /** Default: a shell script that prints ok; the bundled example is examples/execsnoop/bin/execsnoop-amd64. */
    loader: { type: 'string' },
    accel: { type: 'string', default: 'tcg' },
    /** Print the figures only; leave docs/benchmarks.md as it is. */
    'print-only': { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const backends = ['qemu', 'vng'] as const;
type Backend = (typeof backends)[number];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`.padStart(8);

async function project(backend: Backend, loader: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `pm-bench-${backend}-`));
  await writeFile(
    path.join(dir, 'matrix.yaml'),
    `kernels: [${values.kernel}]\narches: [amd64]\nvm:\n  backend: ${backend}\nloader:\n  path: ${loader}\n  timeout: 120\n`,
  );
  return dir;
}

/** One single-cell run through the CLI: wall time, and the cell's own boot time. */
async function runCell(dir: string): Promise<{ wallMs: number; bootMs: number }> {
  const sink = new PassThrough().resume();
  const t0 = performance.now();
  const code = await main(['run', '--allow-outside-project', '--accel', values.accel, '--retries', '0', '--reporter', 'json'], {
    cwd: dir,
    env: { ...process.env, CI: 'true' },
    stdout: sink,
    stderr: sink,
    signal: new AbortController().signal,
  });
  const wallMs = performance.now() - t0;
  const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
  const cell = results.cells[0]!;
  if (code !== 0 || cell.status !== 'pass') throw new Error(`${dir}: portmatrix run exited ${code}, cell ${cell.status}: ${cell.reason ?? ''}`);
  return { wallMs, bootMs: cell.timings.bootMs ?? NaN };
}

const scratch = await mkdtemp(path.join(os.tmpdir(), 'pm-bench-vng-'));
const loader = values.loader ? path.resolve(values.loader) : path.join(scratch, 'loader.sh');
if (!values.loader) {
  await writeFile(loader, '#!/bin/sh\necho ok\n');
  await chmod(loader, 0o755);
}
const dirs = Object.fromEntries(await Promise.all(backends.map(async (b) => [b, await project(b, loader)]))) as Record<Backend, string>;

console.log(`kernel ${values.kernel} amd64, loader ${path.basename(loader)}, ${values.accel.toUpperCase()}, ${rounds} rounds interleaved`);
// Warm-up: kernel resolution, caches, module loading.
for (const b of backends) await runCell(dirs[b]);
const samples: Record<Backend, { wallMs: number; bootMs: number }[]> = { qemu: [], vng: [] };
for (let i = 0; i < rounds; i++) {
  for (const b of backends) {
    const s = await runCell(dirs[b]);
    samples[b].push(s);
    console.log(`  round ${i + 1} ${b.padEnd(4)} wall ${sec(s.wallMs)}  boot ${sec(s.bootMs)}`);
  }
}
const med = (b: Backend, k: 'wallMs' | 'bootMs') => median(samples[b].map((s) => s[k]));
const ratio = (k: 'wallMs' | 'bootMs') => (med('vng', k) / med('qemu', k)).toFixed(2);
const table = [
  'backend  wall (median)  boot (median)',
  ...backends.map((b) => `${b.padEnd(7)}  ${sec(med(b, 'wallMs'))}       ${sec(med(b, 'bootMs'))}`),
  `ratio vng/qemu: wall ${ratio('wallMs')}x, boot ${ratio('bootMs')}x`,
];
for (const line of table) console.log(line);
if (!values['print-only']) {
  const command = commandLine('node --import tsx scripts/bench-vng.ts');
  const file = await recordBench({ name: 'vng', command, lines: table });
  console.log(`figures written to ${path.relative(process.cwd(), file)} (section vng)`);
}
