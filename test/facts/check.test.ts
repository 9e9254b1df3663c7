// `portmatrix check` on real Debian kernels (the pinned test lock, through the image
// store) and BPF objects clang builds here: what each cell's program needs that its
// kernel lacks, predicted before any boot.

import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellCheck, CheckReport } from '../../src/facts/cell-check.js';
import { runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';
import { compileBpf, EXAMPLE_BPF } from './bpf-objects.js';

const KERNELS = ['debian:bullseye', 'debian:bookworm', 'debian:trixie', 'debian:sid'];

/** A project whose matrix checks `objects` (goarch → object file), with the test lock's kernels. */
async function project(objects: Record<string, string>, extra = ''): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pm-check-'));
  for (const [goarch, file] of Object.entries(objects)) {
    copyFileSync(file, path.join(dir, `prog-${goarch}.o`));
    // `plan` insists the loader exists; `check` never runs it.
    writeFileSync(path.join(dir, `loader-${goarch}`), '');
  }
  const arches = Object.keys(objects).join(', ');
  writeFileSync(
    path.join(dir, 'matrix.yaml'),
    `kernels: [${KERNELS.join(', ')}]\narches: [${arches}]\nloader:\n  path: ./loader-{goarch}\nbtf:\n  objects: ["./prog-{goarch}.o"]\n${extra}`,
  );
  await useTestLock(dir);
  return dir;
}

async function check(dir: string): Promise<{ code: number; report: CheckReport }> {
  const json = await runCli(['check', '--json'], { cwd: dir });
  expect(json.stderr).toBe('');
  return { code: json.code, report: JSON.parse(json.stdout) as CheckReport };
}

const cell = (r: CheckReport, id: string): CellCheck => {
  const found = r.cells.find((c) => c.id === id);
  if (!found) throw new Error(`no cell ${id} in ${r.cells.map((c) => c.id).join(' ')}`);
  return found;
};
const fails = (c: CellCheck) => c.findings.filter((f) => f.level === 'fail');

describe('portmatrix check', () => {
  it('the naive variant: task_struct.state → __state on every kernel from 5.14 on; 5.10 passes', async () => {
    const naive = path.join(EXAMPLE_BPF, 'naive.bpf.c');
    const el = compileBpf(naive, 'check-naive-el.o');
    const dir = await project({ amd64: el, arm64: el, s390x: compileBpf(naive, 'check-naive-eb.o', 'bpfeb') });
    const { code, report } = await check(dir);
    expect(code).toBe(1);
    for (const arch of ['amd64', 'arm64']) expect(cell(report, `${arch}/debian-bullseye/default`).predicted).toBe('pass');
    expect(cell(report, 's390x/debian-bullseye/default').predicted).toBe('skip');
    for (const id of [
      'amd64/debian-bookworm',
      'arm64/debian-bookworm',
      'amd64/debian-trixie',
      'arm64/debian-trixie',
      's390x/debian-trixie',
      'amd64/debian-sid',
      'arm64/debian-sid',
      's390x/debian-sid',
    ]) {
      const c = cell(report, `${id}/default`);
      expect(c.predicted, id).toBe('fail');
      expect(
        fails(c).map((f) => [f.kind, f.need, f.candidates?.[0]]),
        id,
      ).toEqual([['field', 'task_struct.state', '__state']]);
    }
    // Debian builds bookworm's s390x kernel without BTF: with `btf: kernel` (the default) CO-RE has nothing to use.
    expect(fails(cell(report, 's390x/debian-bookworm/default')).map((f) => f.kind)).toEqual(['btf']);
    const table = await runCli(['check', '--only', 'arch=amd64'], { cwd: dir });
    expect(table.code).toBe(1);
    const row = /^amd64\/debian-trixie\/default +6\.12\.\S+ +kernel +fail\n(.*)$/m.exec(table.stdout);
    expect(row?.[1]).toMatch(/^ {4}✗ field task_struct\.state: absent; task_struct has __state, /);
    expect(table.stdout).toContain('4 cells: 3 predicted to fail, 1 to pass, 0 not checked');
  }, 300_000);

  it('the portable variant passes everywhere: its misses are guarded by a flavour or an exists check', async () => {
    const src = path.join(EXAMPLE_BPF, 'execsnoop.bpf.c');
    const build = (arch: string, target: 'bpfel' | 'bpfeb') => compileBpf(src, `check-portable-${arch}.o`, target, ['-g', `-D__TARGET_ARCH_${arch}`]);
    const dir = await project(
      { amd64: build('x86', 'bpfel'), arm64: build('arm64', 'bpfel'), s390x: build('s390', 'bpfeb') },
      'configs:\n  - name: default\n    btf: auto\n',
    );
    const { code, report } = await check(dir);
    expect(report.cells.filter((c) => c.predicted === 'fail').map((c) => [c.id, fails(c)])).toEqual([]);
    expect(code).toBe(0);
    const guarded = (id: string) =>
      cell(report, id)
        .findings.filter((f) => f.level === 'guarded')
        .map((f) => f.need);
    expect(guarded('amd64/debian-bullseye/default')).toEqual(['task_struct.__state']);
    expect(guarded('arm64/debian-sid/default')).toEqual(['task_struct.state']);
    // bookworm s390x has no BTF of its own; `btf: auto` checks against the BTF generated for it.
    expect(guarded('s390x/debian-bookworm/default')).toEqual(['task_struct.state']);
  }, 600_000);

  it('a kprobe on __x64_sys_execve: absent on arm64 and s390x, their own syscall symbol the candidate', async () => {
    const c = `#include "types.h"\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC("license") = "GPL";\nSEC("kprobe/__x64_sys_execve")\nint on_execve(void *ctx) { return 0; }\n`;
    const dir = await project({
      amd64: compileBpf(c, 'x64-el.o'),
      arm64: compileBpf(c, 'x64-el2.o'),
      s390x: compileBpf(c, 'x64-eb.o', 'bpfeb'),
    });
    const { report } = await check(dir);
    expect(cell(report, 'amd64/debian-trixie/default').predicted).toBe('pass');
    for (const [arch, own] of [
      ['arm64', '__arm64_sys_execve'],
      ['s390x', '__s390x_sys_execve'],
    ]) {
      const f = fails(cell(report, `${arch}/debian-trixie/default`));
      expect(f.map((x) => [x.kind, x.need, x.candidates?.[0]])).toEqual([['target', '__x64_sys_execve', own]]);
    }
  }, 300_000);

  it('a helper 5.10 lacks (bpf_loop, 181): fails on bullseye only, named from the newer kernels', async () => {
    const c = `#include "types.h"\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC("license") = "GPL";\nstatic long cb(__u32 i, void *ctx) { return 0; }\nSEC("tracepoint/sched/sched_process_exec")\nint on_exec(void *ctx) { bpf_loop(4, cb, 0, 0); return 0; }\n`;
    const dir = await project({ amd64: compileBpf(c, 'loop-el.o'), arm64: compileBpf(c, 'loop-el2.o') });
    const { code, report } = await check(dir);
    expect(code).toBe(1);
    const failing = report.cells.filter((x) => x.predicted === 'fail');
    expect(failing.map((x) => x.id)).toEqual(['amd64/debian-bullseye/default', 'arm64/debian-bullseye/default']);
    for (const x of failing) expect(fails(x).map((f) => [f.kind, f.need])).toEqual([['helper', 'bpf_loop (181)']]);
  }, 300_000);

  it('kprobe.multi: an attach type 5.10 lacks, and CONFIG_FPROBE that Debian leaves unset on arm64', async () => {
    const c = `#include "types.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("kprobe.multi/do_unlinkat")
int on_unlink(void *ctx) { return 0; }
`;
    const dir = await project({ amd64: compileBpf(c, 'multi-el.o'), arm64: compileBpf(c, 'multi-el2.o') });
    const { report } = await check(dir);
    const needs = (id: string) => fails(cell(report, id)).map((f) => `${f.kind} ${f.need}`);
    expect(needs('amd64/debian-bullseye/default')).toEqual(['attach-type BPF_TRACE_KPROBE_MULTI', 'config CONFIG_FPROBE']);
    expect(needs('amd64/debian-trixie/default')).toEqual([]);
    expect(needs('arm64/debian-trixie/default')).toEqual(['config CONFIG_FPROBE']);
  }, 300_000);

  it('lockdown=confidentiality takes the probe_read helpers from tracing programs; integrity leaves them', async () => {
    const src = path.join(EXAMPLE_BPF, 'execsnoop.bpf.c');
    const obj = compileBpf(src, 'lockdown-x86.o', 'bpfel', ['-g', '-D__TARGET_ARCH_x86']);
    const configs = ['default', 'confidentiality', 'integrity'].map((m) =>
      m === 'default' ? '  - name: default' : `  - name: ${m}\n    cmdline: [lockdown=${m}]`,
    );
    const dir = await project({ amd64: obj }, `configs:\n${configs.join('\n')}\n`);
    const { report } = await check(dir);
    const needs = (id: string) => fails(cell(report, id)).map((f) => `${f.kind} ${f.need}`);
    expect(needs('amd64/debian-trixie/default')).toEqual([]);
    expect(needs('amd64/debian-trixie/integrity')).toEqual([]);
    // BPF_CORE_READ and BPF_CORE_READ_STR_INTO: bpf_probe_read_kernel{,_str}, ids from the kernels' enum.
    expect(needs('amd64/debian-trixie/confidentiality')).toEqual(['lockdown bpf_probe_read_kernel (113)', 'lockdown bpf_probe_read_kernel_str (115)']);
    expect(needs('amd64/debian-bullseye/confidentiality')).toHaveLength(2);
  }, 300_000);

  it('plan --explain prints the cells, then the same lines as check; with --json both, as {cells, check}', async () => {
    const dir = await project({ amd64: compileBpf(path.join(EXAMPLE_BPF, 'naive.bpf.c'), 'plan-naive.o') });
    const table = await runCli(['plan', '--explain', '--only', 'kernel=debian-sid'], { cwd: dir });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID +ARCH +KERNEL .*\namd64\/debian-sid\/default +amd64 +debian:sid /);
    expect(table.stdout).toMatch(/\n\nID +RELEASE +BTF +PREDICTED\n.*fail\n {4}✗ field task_struct\.state: absent; /);
    const json = await runCli(['plan', '--explain', '--json', '--only', 'kernel=debian-sid'], { cwd: dir });
    const both = JSON.parse(json.stdout) as { cells: { id: string }[]; check: CheckReport };
    expect(both.cells.map((c) => c.id)).toEqual(['amd64/debian-sid/default']);
    expect(both.check.cells.map((c) => c.predicted)).toEqual(['fail']);
  }, 300_000);

  it('a file in btf.objects that is no BPF object is a located matrix error', async () => {
    const dir = await project({ amd64: path.join(EXAMPLE_BPF, 'naive.bpf.c') });
    const r = await runCli(['check'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^portmatrix: matrix\.yaml:6:13: btf\.objects\[0\]: .*prog-amd64\.o is not an ELF file; list BPF objects/);
  });
});
