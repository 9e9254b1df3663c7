// Flaky versus broken on a real guest (Debian trixie amd64, TCG). The loader fails on
// odd runs and passes on even ones (PORTMATRIX_RUN says which run it is), so the
// outcome is deterministic: under --reruns 3 the cell fails, then passes: `flaky`,
// which passes the run; under --repeat 4 it passes 2 of 4, and --strict fails the run.

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

    const repeat = await runCli(['run', '--accel', 'tcg', '--retries', '0', '--repeat', '4', '--strict'], { cwd: dir });
    expect(repeat.code, repeat.stderr).toBe(1);
    expect(await cellOf(dir)).toMatchObject({ status: 'flaky', runs: { passed: 2, total: 4, statuses: ['fail', 'pass', 'fail', 'pass'] }, attempts: 4 });
  }, 600_000);
});
