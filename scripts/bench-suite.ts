// `npm run bench -- --suite`: what a cell's tests cost beyond its boot. Per arch,
// the same cell with one test and with ten (the same small program each time),
// interleaved, cold (--no-snapshot) and restored, in one process; times are the
// cell's totalMs from results.json. Issue 12's target: ten tests ≤ 1.5× one test.

import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../src/cli.js';
import type { Arch } from '../src/core/arch.js';
import type { RunResults } from '../src/results/model.js';

export interface SuiteBenchOptions {
  arches: Arch[];
  rounds: number;
  kernel: string;
  log: (line: string) => void;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`.padStart(8);

/** A matrix whose one cell runs `n` tests of `program`. */
const matrix = (kernel: string, arches: Arch[], program: string, n: number) =>
  `kernels: [${kernel}]\narches: [${arches.join(', ')}]\ntests:\n${Array.from({ length: n }, (_, i) => `  - {name: t${i}, path: ${program}, timeout: 60}`).join('\n')}\n`;

async function cellMs(dir: string, arch: Arch, snapshot: boolean): Promise<number> {
  const sink = new PassThrough().resume();
  const args = ['run', '--accel', 'tcg', '--retries', '0', '--reporter', 'json', '--only', `arch=${arch}`, ...(snapshot ? [] : ['--no-snapshot'])];
  const code = await main(args, { cwd: dir, env: { ...process.env, CI: 'true' }, stdout: sink, stderr: sink, signal: new AbortController().signal });
  const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
  const cell = results.cells[0]!;
  if (code !== 0 || cell.status !== 'pass') throw new Error(`${arch}: portmatrix run exited ${code}, cell ${cell.status}: ${cell.reason ?? ''}`);
  return cell.timings.totalMs;
}

export async function benchSuite(o: SuiteBenchOptions): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'pm-bench-suite-'));
  const program = path.join(root, 'smoke.sh');
  await writeFile(program, '#!/bin/sh\necho ok\n');
  await chmod(program, 0o755);
  const dirs = { one: path.join(root, 'one'), ten: path.join(root, 'ten') };
  for (const [name, n] of [['one', 1], ['ten', 10]] as const) {
    await mkdir(dirs[name]);
    await writeFile(path.join(dirs[name], 'matrix.yaml'), matrix(o.kernel, o.arches, program, n));
  }
  o.log(`kernel ${o.kernel}, a shell test that prints ok, TCG, ${o.rounds} rounds interleaved, one cell at a time`);
  const rows: string[] = [];
  for (const arch of o.arches) {
    await cellMs(dirs.one, arch, true); // warm-up: kernel, base initramfs, the snapshot
    const t: Record<'oneCold' | 'tenCold' | 'oneSnap' | 'tenSnap', number[]> = { oneCold: [], tenCold: [], oneSnap: [], tenSnap: [] };
    for (let i = 0; i < o.rounds; i++) {
      t.oneCold.push(await cellMs(dirs.one, arch, false));
      t.tenCold.push(await cellMs(dirs.ten, arch, false));
      t.oneSnap.push(await cellMs(dirs.one, arch, true));
      t.tenSnap.push(await cellMs(dirs.ten, arch, true));
      o.log(`  ${arch} round ${i + 1}: cold 1 test ${sec(t.oneCold.at(-1)!)}, 10 tests ${sec(t.tenCold.at(-1)!)}; restored 1 test ${sec(t.oneSnap.at(-1)!)}, 10 tests ${sec(t.tenSnap.at(-1)!)}`);
    }
    const [oc, tc, os_, ts] = [median(t.oneCold), median(t.tenCold), median(t.oneSnap), median(t.tenSnap)];
    rows.push(`${arch.padEnd(6)} ${sec(oc)} ${sec(tc)} ${(tc / oc).toFixed(2).padStart(6)}x    ${sec(os_)} ${sec(ts)} ${(ts / os_).toFixed(2).padStart(6)}x`);
  }
  o.log('arch    cold: 1 test  10 tests  ratio    restored: 1 test  10 tests  ratio');
  for (const r of rows) o.log(r);
  await rm(root, { recursive: true, force: true });
}
