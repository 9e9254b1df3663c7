// The check's prediction against a real run, cell by cell: the repository's matrix
// under QEMU and `portmatrix check` on the same cells; the run's results carry each
// failing test's explanation. The naive loader's: naive-check-vs-run.vm.test.ts.

import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/facts/cell-check.js';
import { readResults } from '../../src/results/read.js';
import { repoRoot, runCli } from '../helpers/cli.js';

describe('check against run', () => {
  it("the repository's matrix on trixie amd64: every cell's prediction is its run's outcome, each failure explained", async () => {
    const only = ['--only', 'kernel=debian:trixie,arch=amd64'];
    const check = await runCli(['check', '--json', ...only], { cwd: repoRoot });
    expect(check.code, check.stderr).toBe(1);
    const predicted = JSON.parse(check.stdout) as CheckReport;
    const out = mkdtempSync(path.join(os.tmpdir(), 'pm-check-repo-'));
    const run = await runCli(['run', ...only, '--accel', 'tcg', '--retries', '0', '--results-dir', out, '--reporter', 'json'], { cwd: repoRoot });
    expect(run.code, run.stderr).toBe(0);
    const results = await readResults(out);
    // A cell's outcome is a failure when any of its tests failed, expected or not (nobtf: one of three).
    const rows = predicted.cells.map((c) => {
      const cell = results.cells.find((r) => r.id === c.id)!;
      const failed = cell.tests.filter((t) => t.status === 'fail' || t.status === 'xfail');
      const explained = failed.map((t) => (typeof t.explanation === 'object' ? t.explanation.kind : t.explanation));
      return [c.id.split('/')[2], c.predicted, failed.length > 0 ? 'fail' : 'pass', [...new Set(explained)]];
    });
    expect(rows).toEqual([
      ['default', 'pass', 'pass', []],
      ['lockdown', 'fail', 'fail', ['lockdown']],
      ['bpf-caps', 'pass', 'pass', []],
      ['nonroot', 'fail', 'fail', ['privilege']],
      ['nobtf', 'fail', 'fail', ['btf']],
      ['min', 'pass', 'pass', []],
    ]);
  }, 900_000);
});
