// `portmatrix check` on a matrix without `btf.objects`: the objects come from the
// tests' programs (the example's loaders embed theirs with bpf2go). The naive matrix
// as shipped, on its own lock's kernels; and `btf.objects`, when given, wins.

import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/facts/cell-check.js';
import { NO_OBJECTS } from '../../src/facts/cell-check.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';
import { compileBpf, EXAMPLE_BPF } from './bpf-objects.js';

const NAIVE_LOADER = path.join(repoRoot, 'examples/execsnoop/bin/execsnoop-naive-amd64');

async function checkJson(args: string[], cwd: string): Promise<{ code: number; report: CheckReport }> {
  const r = await runCli(['check', '--json', ...args], { cwd });
  expect(r.stderr).toBe('');
  return { code: r.code, report: JSON.parse(r.stdout) as CheckReport };
}

/** Each cell: its prediction and the needs that fail it, with the object that has them. */
function rows(r: CheckReport) {
  const needs = (c: CheckReport['cells'][number]) => c.findings.filter((f) => f.level === 'fail');
  return r.cells.map((c) => [c.id, c.predicted, needs(c).map((f) => `${f.need} (${f.object})`)]);
}

describe('check without btf.objects', () => {
  it("the naive matrix as shipped: the loader's embedded objects, task_struct.state from bookworm on", async () => {
    if (!existsSync(NAIVE_LOADER)) throw new Error(`${NAIVE_LOADER} is missing: run scripts/build-example`);
    const { code, report } = await checkJson(['--matrix', 'examples/execsnoop/naive.yaml'], repoRoot);
    expect(code).toBe(1);
    const state = (goarch: string) => [`task_struct.state (execsnoop-naive-${goarch}#1)`];
    // Both variants are embedded; only the naive one (#1) misses anything: the portable one guards its reads.
    const noBtf = ['kernel BTF (execsnoop-naive-s390x#1)', 'kernel BTF (execsnoop-naive-s390x#2)'];
    expect(rows(report)).toEqual([
      ['amd64/debian-bullseye/default', 'pass', []],
      ['arm64/debian-bullseye/default', 'pass', []],
      ['s390x/debian-bullseye/default', 'skip', []],
      ['amd64/debian-bookworm/default', 'fail', state('amd64')],
      ['arm64/debian-bookworm/default', 'fail', state('arm64')],
      ['s390x/debian-bookworm/default', 'fail', noBtf],
      ['amd64/debian-trixie/default', 'fail', state('amd64')],
      ['arm64/debian-trixie/default', 'fail', state('arm64')],
      ['s390x/debian-trixie/default', 'fail', state('s390x')],
      ['amd64/debian-sid/default', 'fail', state('amd64')],
      ['arm64/debian-sid/default', 'fail', state('arm64')],
      ['s390x/debian-sid/default', 'fail', state('s390x')],
    ]);
    expect(report.cells[0]!.objects).toEqual(['execsnoop-naive-amd64#1', 'execsnoop-naive-amd64#2']);
  }, 600_000);

  it('btf.objects, when given, wins over what the loader embeds; a loader with none is not checked', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pm-check-embedded-'));
    copyFileSync(NAIVE_LOADER, path.join(dir, 'loader-amd64'));
    const src = path.join(EXAMPLE_BPF, 'execsnoop.bpf.c');
    const portable = compileBpf(src, 'embedded-portable.o', 'bpfel', ['-g', '-D__TARGET_ARCH_x86']);
    copyFileSync(portable, path.join(dir, 'portable-amd64.o'));
    writeFileSync(path.join(dir, 'script-amd64'), '#!/bin/sh\n');
    const cells = 'kernels: [debian:trixie]\narches: [amd64]\n';
    const matrix = (loader: string, extra = '') => `${cells}loader:\n  path: ./${loader}-{goarch}\n${extra}`;
    await useTestLock(dir);
    const write = (text: string) => writeFileSync(path.join(dir, 'matrix.yaml'), text);

    write(matrix('loader'));
    const embedded = await checkJson([], dir);
    const id = 'amd64/debian-trixie/default';
    expect(rows(embedded.report)).toEqual([[id, 'fail', ['task_struct.state (loader-amd64#1)']]]);
    write(matrix('loader', 'btf:\n  objects: ["./portable-{goarch}.o"]\n'));
    const listed = await checkJson([], dir);
    expect(rows(listed.report)).toEqual([[id, 'pass', []]]);
    expect(listed.report.cells[0]!.objects).toEqual(['portable-amd64.o']);
    write(matrix('script'));
    const none = await checkJson([], dir);
    expect(none.report.cells.map((c) => [c.predicted, c.skip])).toEqual([['skip', NO_OBJECTS]]);
    expect(none.code).toBe(0);
  }, 300_000);
});
