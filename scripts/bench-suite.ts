// `npm run bench -- --suite`: what a cell's tests cost beyond its boot, as issue 12
// defines it. Per arch, in one process, cold (--no-snapshot) and restored,
// interleaved, one cell at a time:
//   one      a cell with 1 test
//   ten      the same cell with 10 tests
//   singles  those 10 tests as 10 single-test cells (ten identical configs, each
//            keeping one test), summed
// Every test is `sleep 0.2; exit 0`. Times are cells' totalMs from results.json.
// Printed: ten ÷ one (issue 12's target: ≤ 1.5×) and singles ÷ ten (what running
// the tests in one guest saves). The ten sleeps alone take 2 s, so ten ÷ one falls
// toward 1 only when a cell's boot dwarfs them (cold), not after a restore.

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

const TESTS = 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`.padStart(8);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`.padStart(6);

const testLines = (program: string, n: number) => Array.from({ length: n }, (_, i) => `  - {name: t${i}, path: ${program}, timeout: 60}`);

/** The three matrices: one cell with 1 test, one with 10, and 10 cells of one test each. */
function matrices(kernel: string, arches: Arch[], program: string): Record<Shape, string> {
  const head = `kernels: [${kernel}]\narches: [${arches.join(', ')}]\n`;
  const configs = Array.from({ length: TESTS }, (_, c) => `  - {name: c${c}}`);
  // Config c keeps test c only.
  const exclude = Array.from({ length: TESTS }, (_, c) =>
    Array.from({ length: TESTS }, (_, t) => t)
      .filter((t) => t !== c)
      .map((t) => `  - {config: c${c}, test: t${t}}`),
  ).flat();
  return {
    one: `${head}tests:\n${testLines(program, 1).join('\n')}\n`,
    ten: `${head}tests:\n${testLines(program, TESTS).join('\n')}\n`,
    singles: `${head}tests:\n${testLines(program, TESTS).join('\n')}\nconfigs:\n${configs.join('\n')}\nexclude:\n${exclude.join('\n')}\n`,
  };
}

type Shape = 'one' | 'ten' | 'singles';

/** One whole run of a matrix on one arch: the sum of its cells' times (each must pass). */
async function cellsMs(dir: string, arch: Arch, snapshot: boolean, cells: number): Promise<number> {
  const sink = new PassThrough().resume();
  const args = [
    'run',
    '--allow-outside-project',
    '--accel',
    'tcg',
    '--retries',
    '0',
    '--jobs',
    '1',
    '--reporter',
    'json',
    '--only',
    `arch=${arch}`,
    ...(snapshot ? [] : ['--no-snapshot']),
  ];
  const code = await main(args, {
    cwd: dir,
    env: { ...process.env, CI: 'true' },
    stdout: sink,
    stderr: sink,
    signal: new AbortController().signal,
  });
  const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
  const bad = results.cells.find((c) => c.status !== 'pass');
  if (code !== 0 || bad || results.cells.length !== cells) {
    throw new Error(`${arch}: portmatrix run exited ${code}, ${results.cells.length} cell(s)${bad ? `, ${bad.id} ${bad.status}: ${bad.reason ?? ''}` : ''}`);
  }
  return results.cells.reduce((sum, c) => sum + c.timings.totalMs, 0);
}

/** Runs the bench, logging each round; returns the table of medians. */
export async function benchSuite(o: SuiteBenchOptions): Promise<string[]> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'pm-bench-suite-'));
  const program = path.join(root, 'sleep.sh');
  await writeFile(program, '#!/bin/sh\nsleep 0.2\nexit 0\n');
  await chmod(program, 0o755);
  const texts = matrices(o.kernel, o.arches, program);
  const cells: Record<Shape, number> = { one: 1, ten: 1, singles: TESTS };
  const dirs = {} as Record<Shape, string>;
  for (const shape of ['one', 'ten', 'singles'] as const) {
    dirs[shape] = path.join(root, shape);
    await mkdir(dirs[shape]);
    await writeFile(path.join(dirs[shape], 'matrix.yaml'), texts[shape]);
  }
  o.log(`kernel ${o.kernel}, each test \`sleep 0.2; exit 0\`, TCG, ${o.rounds} rounds interleaved, one cell at a time`);
  const rows: string[] = [];
  for (const arch of o.arches) {
    await cellsMs(dirs.one, arch, true, 1); // warm-up: kernel, base initramfs, the snapshot
    const t = {
      cold: { one: [] as number[], ten: [] as number[], singles: [] as number[] },
      restored: { one: [] as number[], ten: [] as number[], singles: [] as number[] },
    };
    for (let i = 0; i < o.rounds; i++) {
      for (const mode of ['cold', 'restored'] as const) {
        for (const shape of ['one', 'ten', 'singles'] as const) t[mode][shape].push(await cellsMs(dirs[shape], arch, mode === 'restored', cells[shape]));
      }
      const last = (m: 'cold' | 'restored') => `1 test ${sec(t[m].one.at(-1)!)}, 10 tests ${sec(t[m].ten.at(-1)!)}, 10 cells ${sec(t[m].singles.at(-1)!)}`;
      o.log(`  ${arch} round ${i + 1}: cold ${last('cold')}; restored ${last('restored')}`);
    }
    for (const mode of ['cold', 'restored'] as const) {
      const [one, ten, singles] = [median(t[mode].one), median(t[mode].ten), median(t[mode].singles)];
      rows.push(`${arch.padEnd(6)} ${mode.padEnd(9)} ${sec(one)} ${sec(ten)} ${sec(singles)}   ${ratio(ten, one)}           ${ratio(singles, ten)}`);
    }
  }
  const table = ['arch   boot         1 test 10 tests 10 cells   10 tests/1 test   10 cells/10 tests', ...rows];
  for (const line of table) o.log(line);
  await rm(root, { recursive: true, force: true });
  return table;
}
