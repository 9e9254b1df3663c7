// Red cells explained in kernel terms, booted: three small BPF programs, each run by
// a real libbpf loader (test/fixtures/bpfrun, linked against bookworm's libbpf 1.1)
// on Debian bullseye (5.10) and trixie (6.12), amd64, arm64 and s390x, under QEMU.
// `portmatrix check` predicts each failure before any boot; the run fails where it
// said, and each failing test names the helper, the kprobe target or the CONFIG_
// option the kernel lacks. Two of them are configuration differences between
// Debian's own builds of one release: CONFIG_FPROBE is unset on trixie's arm64
// kernel (kprobe.multi attaches through fprobe), and Debian's s390x kernels have no
// BPF JIT (built for z10; the s390 JIT needs z196), whose interpreter refuses
// bpf_loop's callback.

import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/facts/cell-check.js';
import { explainingFinding } from '../../src/facts/explain-outcome.js';
import type { RunResults } from '../../src/results/model.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';
import { compileBpf } from './bpf-objects.js';

const FIXTURE = path.join(repoRoot, 'test/fixtures/bpfrun');
const ARCHES = ['amd64', 'arm64', 's390x'] as const;
const TRIPLET = { amd64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', s390x: 's390x-linux-gnu' };
const TARGET_ARCH = { amd64: 'x86', arm64: 'arm64', s390x: 's390' };
const PROGRAMS = ['loop', 'x64kprobe', 'multi'];

const testEntry = (name: string) => `  - name: ${name}
    path: ./bpfrun-{goarch}
    args: [${name}.o]
    files: ["./obj/{goarch}/${name}.o"]
    packages: [libbpf1]
    timeout: 60
`;
const MATRIX = `kernels: [debian:bullseye, debian:trixie]
arches: [amd64, arm64, s390x]
libc: [debian:bookworm]
btf:
  objects: [${PROGRAMS.map((p) => `"./obj/{goarch}/${p}.o"`).join(', ')}]
tests:
${PROGRAMS.map(testEntry).join('')}`;

/** bpfrun and the three objects per arch, as scripts/build-example builds examples/execwatch. */
function build(dir: string): void {
  for (const tool of ['clang', 'aarch64-linux-gnu-ld', 's390x-linux-gnu-ld']) {
    const how = 'scripts/build-example names the Debian packages (clang, binutils-aarch64-linux-gnu, …)';
    if (spawnSync(tool, ['--version']).error) throw new Error(`${tool} not found; ${how}`);
  }
  for (const arch of ARCHES) {
    const pkgs = ['libbpf-dev', 'libc6-dev', 'libgcc-12-dev', 'libc6'];
    const lock = 'examples/execwatch/sysroot.lock';
    const args = ['--import', 'tsx', 'scripts/sysroot.ts', lock, 'bookworm', arch, ...pkgs];
    const sysroot = execFileSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8' }).trim();
    const t = TRIPLET[arch];
    const link = `-Wl,-rpath-link,${sysroot}/lib/${t}:${sysroot}/usr/lib/${t}`;
    const src = path.join(FIXTURE, 'bpfrun.c');
    const out = path.join(dir, `bpfrun-${arch}`);
    const cflags = ['-O2', '-Wall', '-Werror', link];
    execFileSync('clang', [`--target=${t}`, `--sysroot=${sysroot}`, ...cflags, src, '-lbpf', '-o', out]);
    mkdirSync(path.join(dir, 'obj', arch), { recursive: true });
    const target = arch === 's390x' ? 'bpfeb' : 'bpfel';
    for (const p of PROGRAMS) {
      const flags = ['-g', `-D__TARGET_ARCH_${TARGET_ARCH[arch]}`];
      const obj = compileBpf(path.join(FIXTURE, `${p}.bpf.c`), `kdiff-${p}-${arch}.o`, target, flags);
      copyFileSync(obj, path.join(dir, 'obj', arch, `${p}.o`));
    }
  }
}

/** `amd64/debian-trixie`: the cell ids without their config and libc, which every cell shares. */
const short = (id: string) => id.split('/').slice(0, 2).join('/');

/** `arm64/debian-trixie fail: multi.o config CONFIG_FPROBE`, one line a finding (or a cell without any). */
function predictions(report: CheckReport): string[] {
  return report.cells.flatMap((c) => {
    const head = `${short(c.id)} ${c.predicted}`;
    return c.findings.length ? c.findings.map((f) => `${head}: ${f.object} ${f.kind} ${f.need}`) : [head];
  });
}

/** `arm64/debian-trixie multi fail [config CONFIG_FPROBE] agree`, one line a test. */
function outcomes(results: RunResults): string[] {
  return results.cells.flatMap((c) =>
    c.tests.map((t) => {
      const e = typeof t.explanation === 'object' ? `${t.explanation.kind} ${t.explanation.need}` : t.explanation;
      return [short(c.id), t.name, t.status, e && `[${e}]`, t.prediction].filter(Boolean).join(' ');
    }),
  );
}

/** Each failing test's explanation, from the results or (`whole`) from its output and the whole cell's check. */
function failures(results: RunResults, whole?: CheckReport): [string, string, unknown][] {
  return results.cells.flatMap((c) => {
    const cellCheck = whole?.cells.find((p) => p.id === c.id);
    return c.tests
      .filter((t) => t.status === 'fail')
      .map((t) => {
        const why = cellCheck ? explainingFinding(`${t.stdout}\n${t.stderr}`, cellCheck) : t.explanation;
        return [short(c.id), t.name, why] as [string, string, unknown];
      });
  });
}

describe('kernel differences, booted', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pm-kdiff-'));
  beforeAll(async () => {
    build(dir);
    writeFileSync(path.join(dir, 'matrix.yaml'), MATRIX);
    await useTestLock(dir);
  }, 600_000);

  it('check predicts every red cell, and the run fails there for the reason named', async () => {
    const check = await runCli(['check', '--json'], { cwd: dir });
    expect(check.code, check.stderr).toBe(1);
    const predicted = JSON.parse(check.stdout) as CheckReport;
    expect(predictions(predicted)).toEqual([
      'amd64/debian-bullseye fail: loop.o helper bpf_loop (181)',
      'amd64/debian-bullseye fail: multi.o attach-type BPF_TRACE_KPROBE_MULTI',
      'amd64/debian-bullseye fail: multi.o config CONFIG_FPROBE',
      'arm64/debian-bullseye fail: loop.o helper bpf_loop (181)',
      'arm64/debian-bullseye fail: x64kprobe.o target __x64_sys_execve',
      'arm64/debian-bullseye fail: multi.o attach-type BPF_TRACE_KPROBE_MULTI',
      'arm64/debian-bullseye fail: multi.o config CONFIG_FPROBE',
      's390x/debian-bullseye skip',
      'amd64/debian-trixie pass',
      'arm64/debian-trixie fail: x64kprobe.o target __x64_sys_execve',
      'arm64/debian-trixie fail: multi.o config CONFIG_FPROBE',
      's390x/debian-trixie fail: loop.o config CONFIG_BPF_JIT',
      's390x/debian-trixie fail: x64kprobe.o target __x64_sys_execve',
    ]);
    // The arch's own syscall symbol is the first candidate for the x86-64 one.
    const targets = predicted.cells.flatMap((c) => c.findings.filter((f) => f.kind === 'target'));
    const own = ['__arm64_sys_execve', '__arm64_sys_execve', '__s390x_sys_execve'];
    expect(targets.map((f) => f.candidates?.[0])).toEqual(own);

    const run = await runCli(['run', '--accel', 'tcg', '--retries', '0'], { cwd: dir });
    expect(run.code, run.stderr).toBe(1);
    const results = JSON.parse(readFileSync(path.join(dir, 'results/results.json'), 'utf8')) as RunResults;
    // results.json sorts its cells by id: arch first.
    expect(outcomes(results)).toEqual([
      'amd64/debian-bullseye loop fail [helper bpf_loop (181)] agree',
      'amd64/debian-bullseye x64kprobe pass agree',
      'amd64/debian-bullseye multi fail [attach-type BPF_TRACE_KPROBE_MULTI] agree',
      'amd64/debian-trixie loop pass agree',
      'amd64/debian-trixie x64kprobe pass agree',
      'amd64/debian-trixie multi pass agree',
      'arm64/debian-bullseye loop fail [helper bpf_loop (181)] agree',
      'arm64/debian-bullseye x64kprobe fail [target __x64_sys_execve] agree',
      'arm64/debian-bullseye multi fail [attach-type BPF_TRACE_KPROBE_MULTI] agree',
      'arm64/debian-trixie loop pass agree',
      'arm64/debian-trixie x64kprobe fail [target __x64_sys_execve] agree',
      'arm64/debian-trixie multi fail [config CONFIG_FPROBE] agree',
      's390x/debian-bullseye loop skip',
      's390x/debian-bullseye x64kprobe skip',
      's390x/debian-bullseye multi skip',
      's390x/debian-trixie loop fail [config CONFIG_BPF_JIT] agree',
      's390x/debian-trixie x64kprobe fail [target __x64_sys_execve] agree',
      's390x/debian-trixie multi pass agree',
    ]);
    // A loader with all three objects built in gets the whole cell's findings: its words alone must
    // pick the same one (an EOPNOTSUPP attach is the config, not the cell's missing kprobe target).
    expect(failures(results, predicted)).toEqual(failures(results));

    // The failing cell names the option its kernel lacks against the kernel it passes on: first in
    // results.json's contrast, and in the terminal's and the Markdown summary's wording of the test.
    const contrast = (cell: string, name: string) => {
      const tests = results.cells.find((c) => short(c.id) === cell)?.tests;
      const c = tests?.find((t) => t.name === name)?.configContrast;
      return c && [short(c.against), c.lines[0]];
    };
    expect(contrast('arm64/debian-trixie', 'multi')).toEqual(['amd64/debian-trixie', 'CONFIG_FPROBE: y → not set']);
    expect(contrast('s390x/debian-trixie', 'loop')).toEqual(['amd64/debian-trixie', 'CONFIG_BPF_JIT: y → not set']);
    expect(`${run.stdout}\n${run.stderr}`).toMatch(/^ {6}✗ multi: kernel lacks config CONFIG_FPROBE: /m);
    const summary = readFileSync(path.join(dir, 'results/summary.md'), 'utf8');
    expect(summary).toMatch(/`multi`: kernel lacks config CONFIG\\_FPROBE: /);
    expect(summary).toMatch(/`loop`: kernel lacks config CONFIG\\_BPF\\_JIT: /);
  }, 900_000);
});
