// The check's prediction against a real run of the repository's whole matrix
// (matrix.yaml: five Debian kernels, three arches, six configurations, three tests a
// cell), cell by cell: every cell the check predicts comes out as predicted, every
// failed test carries the finding that explains it, and the run says so in its notes.

import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/facts/cell-check.js';
import { cellAgreements, checkNote } from '../../src/report/check-view.js';
import { readResults } from '../../src/results/read.js';
import { repoRoot, runCli } from '../helpers/cli.js';

describe("check against run: the repository's matrix", () => {
  it('every checked cell comes out as predicted, and every failed test is explained in kernel terms', async () => {
    const check = await runCli(['check', '--json'], { cwd: repoRoot });
    expect(check.code, check.stderr).toBe(1);
    const predicted = JSON.parse(check.stdout) as CheckReport;
    const out = mkdtempSync(path.join(os.tmpdir(), 'pm-check-repo-'));
    const run = await runCli(['run', '--accel', 'tcg', '--retries', '0', '--results-dir', out, '--reporter', 'json'], { cwd: repoRoot });
    expect(run.code, run.stderr).toBe(0);
    // Every failure is expected (the matrix's `expect`), so no test's live line says FAIL.
    expect(`${run.stdout}${run.stderr}`).toMatch(/ xfail +amd64\/debian-trixie\/lockdown\/debian-bookworm › execsnoop/);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/ FAIL +\S+ › /);
    const results = await readResults(out);

    // The run made the same check as `portmatrix check`, cell by cell.
    const byId = (r: CheckReport | undefined) => r?.cells.map((c) => [c.id, c.predicted]);
    expect(byId(results.check)).toEqual(byId(predicted));
    // bullseye has no s390x build: its six cells are skipped, the other 69 compared.
    const rows = cellAgreements(results);
    expect(rows.filter((r) => r.agreement !== 'agree')).toEqual([]);
    expect(rows).toHaveLength(69);
    expect(checkNote(results)).toBe('check: all 69 checked cells came out as predicted (33 to fail, 36 to pass)');

    // Each configuration's failures, by the kind of finding that explains them; none unexplained.
    const kinds = new Map<string, Set<string>>();
    for (const cell of results.cells) {
      const set = kinds.get(cell.config) ?? new Set<string>();
      kinds.set(cell.config, set);
      for (const t of cell.tests.filter((t) => t.status === 'fail' || t.status === 'xfail')) {
        set.add(typeof t.explanation === 'object' ? t.explanation.kind : String(t.explanation));
      }
    }
    expect(Object.fromEntries([...kinds].map(([k, v]) => [k, [...v]]))).toEqual({
      default: [],
      lockdown: ['lockdown'],
      'bpf-caps': [],
      nonroot: ['privilege'],
      nobtf: ['btf'],
      min: [],
    });
  }, 3_600_000);
});
