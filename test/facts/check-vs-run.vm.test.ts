// The check's prediction against a real run, cell by cell: the example's naive
// loader (cilium/ebpf, task_struct.state without a flavour) booted on bullseye (5.10)
// and trixie (6.12) under QEMU, and `portmatrix check` on the same matrix; the run's
// results carry the same check and each failing test's explanation.

import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/facts/cell-check.js';
import { agreement, explainingFinding } from '../../src/facts/explain-outcome.js';
import { readResults } from '../../src/results/read.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';
import { compileBpf, EXAMPLE_BPF } from './bpf-objects.js';

describe('check against run', () => {
  it('naive loader: fails on trixie as predicted (task_struct.state), passes on bullseye as predicted', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pm-check-run-'));
    // Built by scripts/build-example; copied in, since matrix paths stay inside the project.
    copyFileSync(path.join(repoRoot, 'examples/execsnoop/bin/execsnoop-naive-amd64'), path.join(dir, 'execsnoop-naive-amd64'));
    copyFileSync(compileBpf(path.join(EXAMPLE_BPF, 'naive.bpf.c'), 'vs-run-naive.o'), path.join(dir, 'naive-amd64.o'));
    writeFileSync(
      path.join(dir, 'matrix.yaml'),
      `kernels: [debian:bullseye, debian:trixie]\narches: [amd64]\nloader:\n  path: ./execsnoop-naive-amd64\n  timeout: 60\nbtf:\n  objects: ["./naive-{goarch}.o"]\n`,
    );
    await useTestLock(dir);
    const check = await runCli(['check', '--json'], { cwd: dir });
    expect(check.code, check.stderr).toBe(1);
    const predicted = JSON.parse(check.stdout) as CheckReport;
    const run = await runCli(['run', '--accel', 'tcg', '--retries', '0', '--reporter', 'json'], { cwd: dir });
    expect(run.code, run.stderr).toBe(1);
    const results = await readResults(path.join(dir, 'results'));
    const rows = predicted.cells.map((c) => {
      const cell = results.cells.find((r) => r.id === c.id)!;
      const status = cell.status === 'pass' ? 'pass' : 'fail';
      const output = cell.tests.map((t) => `${t.stdout}\n${t.stderr}`).join('\n');
      return [c.id, c.predicted, status, agreement(c.predicted, status), explainingFinding(output, c)?.need];
    });
    expect(rows).toEqual([
      ['amd64/debian-bullseye/default', 'pass', 'pass', 'agree', undefined],
      ['amd64/debian-trixie/default', 'fail', 'fail', 'agree', 'task_struct.state'],
    ]);
    // The run made the same check and recorded it: each test carries what explains it.
    const byId = (r: CheckReport | undefined) => r?.cells.map((c) => [c.id, c.predicted]);
    expect(byId(results.check)).toEqual(byId(predicted));
    const recorded = results.cells.map((c) => {
      const t = c.tests[0]!;
      const need = typeof t.explanation === 'object' ? t.explanation.need : t.explanation;
      return [c.id, t.status, need, t.prediction];
    });
    expect(recorded).toEqual([
      ['amd64/debian-bullseye/default', 'pass', undefined, 'agree'],
      ['amd64/debian-trixie/default', 'fail', 'task_struct.state', 'agree'],
    ]);
  }, 900_000);
});
