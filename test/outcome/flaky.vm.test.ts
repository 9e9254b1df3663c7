// Flaky versus broken on a real guest (Debian trixie amd64, TCG). The loader fails on
// odd runs and passes on even ones (PORTMATRIX_RUN says which run it is), so the
// outcome is deterministic: under --reruns 3 the cell fails, then passes: `flaky`,
// which passes the run; under --repeat 10 it passes 5 of 10, and --strict fails the run:
// exit 1, and results.json's verdict says so, naming the cell.
// --rerun-failed on an existing results dir runs its failed and flaky cells again and
// keeps the passing one as it was.

import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/results/model.js';
import { runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';

const ODD_FAILS = '#!/bin/sh\nrun=${PORTMATRIX_RUN:-1}\necho "run $run"\n[ $((run % 2)) -eq 0 ] || { echo "odd run $run fails" >&2; exit 1; }\n';

async function cellOf(dir: string) {
  const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
  expect(results.cells).toHaveLength(1);
  return results.cells[0]!;
}

async function verdictOf(dir: string) {
  const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
  return results.verdict;
}

async function cellsOf(dir: string) {
  const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
  return results.cells;
}

describe('flaky', () => {
  it('--reruns marks failed-then-passed flaky; --repeat gives the pass rate; --strict fails on it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-flaky-'));
    await writeFile(path.join(dir, 'loader.sh'), ODD_FAILS);
    await chmod(path.join(dir, 'loader.sh'), 0o755);
    await useTestLock(dir);
    await writeFile(path.join(dir, 'matrix.yaml'), 'kernels: [debian:trixie]\narches: [amd64]\nloader:\n  path: ./loader.sh\n  timeout: 20\n');

    const reruns = await runCli(['run', '--accel', 'tcg', '--retries', '0', '--reruns', '3'], { cwd: dir });
    expect(reruns.code, reruns.stderr).toBe(0);
    expect(await cellOf(dir)).toMatchObject({
      status: 'flaky',
      reason: 'passed 1 of 2 runs; failed with: loader exited with code 1',
      runs: { passed: 1, total: 2, statuses: ['fail', 'pass'] },
      attempts: 2,
      stderr: 'odd run 1 fails\n',
    });
    expect(reruns.stdout).toMatch(/1 cells: 1 flaky/);
    const id = 'amd64/debian-trixie/default';
    expect(await verdictOf(dir)).toEqual({ exitCode: 0, strict: false, ok: true, failed: [], infra: [] });

    const repeat = await runCli(['run', '--accel', 'tcg', '--retries', '0', '--repeat', '10', '--strict'], {
      cwd: dir,
    });
    expect(repeat.code, repeat.stderr).toBe(1);
    const alternating = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 'fail' : 'pass'));
    expect(await cellOf(dir)).toMatchObject({
      status: 'flaky',
      runs: { passed: 5, total: 10, statuses: alternating },
      attempts: 10,
    });
    // The verdict behind the exit code is in results.json, and re-rendering keeps it.
    expect(await verdictOf(dir)).toEqual({ exitCode: 1, strict: true, ok: false, failed: [id], infra: [] });
    const rendered = await runCli(['report', 'results'], { cwd: dir });
    expect(rendered.code, rendered.stderr).toBe(1);
    expect(await verdictOf(dir)).toMatchObject({ exitCode: 1, strict: true, failed: [id] });
  }, 600_000);

  it('--rerun-failed runs the failed and flaky cells of a results dir again and keeps the passing one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-rerun-failed-'));
    // The config is told apart by a sysctl, so all three share one snapshot of the boot.
    const loader = `#!/bin/sh\ncase $(cat /proc/sys/kernel/domainname) in\nsteady) echo steady; exit 0 ;;\nbroken) echo "broken for good" >&2; exit 2 ;;\nesac\n${ODD_FAILS.split('\n').slice(1).join('\n')}`;
    await writeFile(path.join(dir, 'loader.sh'), loader);
    await chmod(path.join(dir, 'loader.sh'), 0o755);
    await useTestLock(dir);
    const configs = ['steady', 'broken', 'odd'].map((c) => `  - {name: ${c}, sysctl: {kernel.domainname: ${c}}}`).join('\n');
    await writeFile(
      path.join(dir, 'matrix.yaml'),
      `kernels: [debian:trixie]\narches: [amd64]\nconfigs:\n${configs}\nloader:\n  path: ./loader.sh\n  timeout: 20\n`,
    );
    const args = ['run', '--accel', 'tcg', '--retries', '0', '--reruns', '1'];

    const first = await runCli(args, { cwd: dir });
    expect(first.code, first.stderr).toBe(1);
    const before = await cellsOf(dir);
    expect(before.map((c) => [c.config, c.status, c.attempts])).toEqual([
      ['broken', 'fail', 2],
      ['odd', 'flaky', 2],
      ['steady', 'pass', 1],
    ]);

    const again = await runCli([...args, '--rerun-failed'], { cwd: dir });
    expect(again.code, again.stderr).toBe(1);
    const after = await cellsOf(dir);
    expect(after.map((c) => [c.config, c.status, c.attempts])).toEqual([
      ['broken', 'fail', 2],
      ['odd', 'flaky', 2],
      ['steady', 'pass', 1],
    ]);
    // The passing cell is the same result as before (not booted again); the other two ran again.
    expect(after[2]).toEqual(before[2]);
    expect(after[0]!.startedAt).not.toBe(before[0]!.startedAt);
    expect(after[1]!.startedAt).not.toBe(before[1]!.startedAt);
    expect(again.stderr + again.stdout).not.toMatch(/start\s+amd64\/debian-trixie\/steady/);
  }, 600_000);
});
