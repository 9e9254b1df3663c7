// A failed test's kernel-level explanation: real loader output (test/facts/samples)
// read against the findings `check` predicts for the same kernels.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CellCheck } from '../../src/facts/cell-check.js';
import { agreement, explainingFinding, testFacts } from '../../src/facts/explain-outcome.js';
import type { Finding } from '../../src/facts/finding.js';
import { idNames, predictObject } from '../../src/facts/predict.js';
import { readProgramFacts } from '../../src/facts/program-facts.js';
import { compileBpf, EXAMPLE_BPF, TINY_C } from './bpf-objects.js';
import { viewOf } from './kernels.js';

const sample = (name: string) => readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'samples', name), 'utf8');

async function findings(object: string, source: string, arch: 'amd64' | 'arm64', cmdline: string[] = []): Promise<Finding[]> {
  const [program, kernel, newest] = await Promise.all([readProgramFacts(object), viewOf(source, arch), viewOf('debian:sid', arch)]);
  return predictObject({ program, kernel, btfMode: { kind: 'kernel' }, names: idNames([kernel, newest]), cmdline });
}

describe('explainingFinding', () => {
  it("names task_struct.state for the naive loader's CO-RE failure on bookworm", async () => {
    const predicted = await findings(compileBpf(path.join(EXAMPLE_BPF, 'naive.bpf.c'), 'explain-naive.o'), 'debian:bookworm', 'amd64');
    const f = explainingFinding(sample('cilium-core-bookworm-amd64.stderr'), { findings: predicted });
    expect(f).toMatchObject({
      kind: 'field',
      need: 'task_struct.state',
      candidates: ['__state', 'exit_state', 'futex_state'],
    });
  }, 120_000);

  it('matches a helper the kernel rejects by its id', async () => {
    const predicted = await findings(compileBpf(TINY_C, 'explain-tiny.o'), 'debian:bullseye', 'amd64');
    // The verifier's words for a helper id it does not know (kernel/bpf/verifier.c).
    const f = explainingFinding('load program: invalid argument: invalid func unknown#181 (12 line(s) omitted)', {
      findings: predicted,
    });
    expect(f).toMatchObject({ kind: 'helper', need: 'bpf_loop (181)' });
  }, 120_000);

  it('names the lockdown that took bpf_probe_read_kernel from the portable loader on trixie', async () => {
    const obj = compileBpf(path.join(EXAMPLE_BPF, 'execsnoop.bpf.c'), 'explain-portable.o', 'bpfel', ['-g', '-D__TARGET_ARCH_x86']);
    const predicted = await findings(obj, 'debian:trixie', 'amd64', ['lockdown=confidentiality']);
    const f = explainingFinding(sample('cilium-lockdown-trixie-amd64.stderr'), { findings: predicted });
    expect(f).toMatchObject({ kind: 'lockdown', need: 'bpf_probe_read_kernel (113)' });
  }, 120_000);

  // Bookworm's 6.1 words the same refusal as an unknown helper, in all three loaders' output.
  it.each(['cilium-lockdown-bookworm-amd64.stderr', 'gotest-lockdown-bookworm-amd64.stdout', 'libbpf-lockdown-bookworm-amd64.stderr'])(
    'names the lockdown on bookworm, where the verifier calls bpf_probe_read unknown: %s',
    async (name) => {
      const obj = compileBpf(path.join(EXAMPLE_BPF, 'execsnoop.bpf.c'), 'explain-portable6.o', 'bpfel', ['-g', '-D__TARGET_ARCH_x86']);
      const predicted = await findings(obj, 'debian:bookworm', 'amd64', ['lockdown=confidentiality']);
      expect(explainingFinding(sample(name), { findings: predicted })).toMatchObject({ kind: 'lockdown' });
    },
    120_000,
  );

  it('reads an unknown bpf_probe_read without a lockdown finding as a missing helper, not lockdown', () => {
    const helper: Finding = { kind: 'helper', level: 'fail', object: 'x.o', need: 'bpf_probe_read (4)', detail: 'absent' };
    expect(explainingFinding(sample('cilium-lockdown-bookworm-amd64.stderr'), { findings: [helper] })).toBe(helper);
  });

  it('leaves a failure the facts do not hold unexplained: lockdown without the cell saying lockdown=', async () => {
    const predicted = await findings(compileBpf(path.join(EXAMPLE_BPF, 'naive.bpf.c'), 'explain-naive2.o'), 'debian:bullseye', 'amd64');
    expect(predicted).toEqual([]);
    expect(explainingFinding(sample('libbpf-lockdown-trixie-amd64.stderr'), { findings: predicted })).toBeUndefined();
  }, 120_000);
});

describe('agreement', () => {
  it('says where prediction and outcome differ', () => {
    expect(agreement('fail', 'fail')).toBe('agree');
    expect(agreement('pass', 'pass')).toBe('agree');
    expect(agreement('fail', 'pass')).toBe('predicted-fail-passed');
    expect(agreement('pass', 'fail')).toBe('failed-unexplained');
    expect(agreement('skip', 'fail')).toBe('failed-unexplained');
  });
});

describe('testFacts', () => {
  const stateField: Finding = {
    kind: 'field',
    level: 'fail',
    object: 'naive.o',
    section: 'kprobe/sys_execve',
    need: 'task_struct.state',
    detail: 'absent; task_struct has __state',
  };
  const check = (predicted: 'pass' | 'fail', findings: Finding[]): CellCheck => ({
    id: 'amd64/debian-bookworm/default',
    arch: 'amd64',
    kernel: 'debian-bookworm',
    btf: 'kernel',
    predicted,
    objects: ['naive.o'],
    findings,
  });

  it("records the finding, the verifier's last lines and agreement for a failure the check predicted", () => {
    const out = testFacts('fail', sample('cilium-core-bookworm-amd64.stderr'), check('fail', [stateField]));
    expect(out.explanation).toEqual(stateField);
    expect(out.prediction).toBe('agree');
    expect(out.verifierLog?.length).toBeGreaterThan(0);
  });

  it('says unexplained, and that the prediction missed it, when no finding explains the failure', () => {
    const out = testFacts('fail', sample('libbpf-lockdown-trixie-amd64.stderr'), check('pass', []));
    expect(out).toMatchObject({ explanation: 'unexplained', prediction: 'failed-unexplained' });
  });

  it('says a test predicted to fail passed, and adds nothing without a check', () => {
    expect(testFacts('pass', '', check('fail', [stateField]))).toEqual({ prediction: 'predicted-fail-passed' });
    expect(testFacts('fail', 'exit status 1', undefined)).toEqual({});
  });
});
