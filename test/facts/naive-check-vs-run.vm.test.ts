// The check's prediction against a real run, cell by cell, for the example's naive
// loader (cilium/ebpf; task_struct.state without a flavour, x86 pt_regs by hand):
// `portmatrix check` and `portmatrix run` under QEMU on the same matrix, and each
// failing test's kernel-level explanation, or `unexplained` where the facts hold none.

import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/facts/cell-check.js';
import { agreement, explainingFinding } from '../../src/facts/explain-outcome.js';
import type { TestExplanation } from '../../src/results/check.js';
import { readResults } from '../../src/results/read.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';
import { compileBpf, EXAMPLE_BPF } from './bpf-objects.js';

/** What a test's result says explains it: `kind need`, `unexplained`, or nothing (it passed). */
const explained = (e?: TestExplanation) => (typeof e === 'object' ? `${e.kind} ${e.need}` : e);

describe('check against run: the naive loader', () => {
  it('btf.objects, bullseye and trixie amd64: trixie fails as predicted (task_struct.state)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pm-check-run-'));
    // Built by scripts/build-example; copied in, since matrix paths stay inside the project.
    const loader = 'execsnoop-naive-amd64';
    copyFileSync(path.join(repoRoot, 'examples/execsnoop/bin', loader), path.join(dir, loader));
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

  it("naive.yaml as shipped, all 11 runnable cells: the loader's embedded objects against the run", async () => {
    const matrix = ['--matrix', 'examples/execsnoop/naive.yaml'];
    const check = await runCli(['check', '--json', ...matrix], { cwd: repoRoot });
    expect(check.code, check.stderr).toBe(1);
    const predicted = JSON.parse(check.stdout) as CheckReport;
    const out = mkdtempSync(path.join(os.tmpdir(), 'pm-naive-run-'));
    const args = ['run', ...matrix, '--accel', 'tcg', '--retries', '0', '--results-dir', out, '--reporter', 'json'];
    const run = await runCli(args, { cwd: repoRoot });
    // Every failure is one naive.yaml expects: the run is green.
    expect(run.code, run.stderr).toBe(0);
    const results = await readResults(out);
    const byId = (r: CheckReport | undefined) => r?.cells.map((c) => [c.id, c.predicted]);
    expect(byId(results.check)).toEqual(byId(predicted));
    const rows = predicted.cells
      .filter((c) => c.predicted !== 'skip')
      .map((c) => {
        const t = results.cells.find((r) => r.id === c.id)!.tests[0]!;
        const outcome = t.status === 'fail' || t.status === 'xfail' ? 'fail' : t.status;
        return [c.id, c.predicted, outcome, t.prediction, explained(t.explanation)];
      });
    const state = 'field task_struct.state';
    expect(rows).toEqual([
      ['amd64/debian-bullseye/default', 'pass', 'pass', 'agree', undefined],
      // The x86 pt_regs read on arm64 loads fine and reads garbage: nothing the kernel's facts hold.
      ['arm64/debian-bullseye/default', 'pass', 'fail', 'failed-unexplained', 'unexplained'],
      ['amd64/debian-bookworm/default', 'fail', 'fail', 'agree', state],
      ['arm64/debian-bookworm/default', 'fail', 'fail', 'agree', state],
      ['s390x/debian-bookworm/default', 'fail', 'fail', 'agree', 'btf kernel BTF'],
      ['amd64/debian-trixie/default', 'fail', 'fail', 'agree', state],
      ['arm64/debian-trixie/default', 'fail', 'fail', 'agree', state],
      ['s390x/debian-trixie/default', 'fail', 'fail', 'agree', state],
      ['amd64/debian-sid/default', 'fail', 'fail', 'agree', state],
      ['arm64/debian-sid/default', 'fail', 'fail', 'agree', state],
      ['s390x/debian-sid/default', 'fail', 'fail', 'agree', state],
    ]);
    expect(results.cells.find((c) => c.id === 's390x/debian-bullseye/default')?.status).toBe('skip');
  }, 3_600_000);
});
