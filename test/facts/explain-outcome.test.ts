// A failed test's kernel-level explanation: real loader output (test/facts/samples)
// read against the findings `check` predicts for the same kernels.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CellCheck } from '../../src/facts/cell-check.js';
import { agreement, checkForTest, explainingFinding, testFacts } from '../../src/facts/explain-outcome.js';
import type { Finding } from '../../src/facts/finding.js';
import { idNames, predictObject } from '../../src/facts/predict.js';
import { readProgramFacts } from '../../src/facts/program-facts.js';
import { compileBpf, EXAMPLE_BPF, TINY_C } from './bpf-objects.js';
import { viewOf } from './kernels.js';

const sample = (name: string) => readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'samples', name), 'utf8');

type Arch = 'amd64' | 'arm64' | 's390x';

async function findings(object: string, source: string, arch: Arch, cmdline: string[] = []): Promise<Finding[]> {
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

// bpfrun (test/fixtures/bpfrun, libbpf 1.1) on the booted kernels: what it printed, read
// against the findings for its own object on the same kernel.
describe('explainingFinding: libbpf 1.1 on Debian kernels (test/facts/kernel-differences.vm.test.ts)', () => {
  const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/bpfrun');
  const TARGET_ARCH = { amd64: 'x86', arm64: 'arm64', s390x: 's390' } as const;
  /** bpfrun's object `name` for `arch`, as the booted test builds it. */
  const object = (name: string, arch: Arch) => {
    const flags = ['-g', `-D__TARGET_ARCH_${TARGET_ARCH[arch]}`];
    const target = arch === 's390x' ? 'bpfeb' : 'bpfel';
    return compileBpf(path.join(fixture, `${name}.bpf.c`), `bpfrun-${name}-${arch}.o`, target, flags);
  };
  /** What the sample says, read against the findings for `name`'s object on Debian `release` and `arch`. */
  async function explain(sampleName: string, name: string, release: string, arch: Arch) {
    const found = await findings(object(name, arch), `debian:${release}`, arch);
    return explainingFinding(sample(sampleName), { findings: found });
  }

  it('bpf_loop on 5.10: the verifier counts the callback out (func_info), the helper explains it', async () => {
    const f = await explain('libbpf-func-info-bullseye-amd64.stderr', 'loop', 'bullseye', 'amd64');
    expect(f).toMatchObject({ kind: 'helper', need: 'bpf_loop (181)' });
  }, 120_000);

  it('bpf_loop on s390x: no JIT (CONFIG_BPF_JIT unset), and the interpreter refuses callbacks', async () => {
    const f = await explain('libbpf-nojit-trixie-s390x.stderr', 'loop', 'trixie', 's390x');
    expect(f).toMatchObject({ kind: 'config', need: 'CONFIG_BPF_JIT' });
  }, 120_000);

  it("a kprobe on a symbol the kernel lacks: the target, with the arch's own syscall symbol", async () => {
    const f = await explain('libbpf-kprobe-enoent-trixie-arm64.stderr', 'x64kprobe', 'trixie', 'arm64');
    const candidates = ['__arm64_sys_execve', '__arm64_sys_execveat'];
    expect(f).toMatchObject({ kind: 'target', need: '__x64_sys_execve', candidates });
  }, 120_000);

  it('kprobe.multi refused: EOPNOTSUPP without CONFIG_FPROBE (trixie arm64), EINVAL on 5.10', async () => {
    const arm = await explain('libbpf-kprobe-multi-trixie-arm64.stderr', 'multi', 'trixie', 'arm64');
    expect(arm).toMatchObject({ kind: 'config', need: 'CONFIG_FPROBE' });
    // Beside the kprobe target the same cell lacks (a loader with both objects built in), still the config.
    const both = [
      ...(await findings(object('x64kprobe', 'arm64'), 'debian:trixie', 'arm64')),
      ...(await findings(object('multi', 'arm64'), 'debian:trixie', 'arm64')),
    ];
    expect(both.map((f) => f.kind)).toEqual(['target', 'config']);
    const out = sample('libbpf-kprobe-multi-trixie-arm64.stderr');
    expect(explainingFinding(out, { findings: both })).toMatchObject({ need: 'CONFIG_FPROBE' });
    // 5.10 lacks both; the attach type is what the kernel said no to.
    const old = await explain('libbpf-kprobe-multi-bullseye-amd64.stderr', 'multi', 'bullseye', 'amd64');
    expect(old).toMatchObject({ kind: 'attach-type', need: 'BPF_TRACE_KPROBE_MULTI' });
  }, 120_000);
});

describe('checkForTest', () => {
  const finding = (object: string, kind: Finding['kind'], need: string): Finding => {
    return { kind, level: 'fail', object, need, detail: '' };
  };
  const cell: CellCheck = {
    id: 'arm64/debian-bullseye/default',
    arch: 'arm64',
    kernel: 'debian-bullseye',
    btf: 'kernel',
    predicted: 'fail',
    objects: ['loop.o', 'x64kprobe.o', 'multi.o'],
    findings: [finding('loop.o', 'helper', 'bpf_loop (181)'), finding('x64kprobe.o', 'target', '__x64_sys_execve')],
  };

  it('keeps the findings of the objects a test ships or names, and predicts from them alone', () => {
    const loop = checkForTest(cell, { files: [{ src: '/p/obj/arm64/loop.o', dest: '' }], args: ['loop.o'] });
    expect(loop).toMatchObject({ objects: ['loop.o'], predicted: 'fail', findings: [cell.findings[0]] });
    const multi = checkForTest(cell, { files: [], args: ['multi.o'] });
    expect(multi).toMatchObject({ objects: ['multi.o'], predicted: 'pass', findings: [] });
  });

  it("keeps the objects found inside the test's own program, named after it", () => {
    const embedded = { ...cell, objects: ['execsnoop-arm64#1', 'execwatch-arm64#1'], findings: [finding('execwatch-arm64#1', 'btf', 'kernel BTF')] };
    const mine = checkForTest(embedded, { path: '/p/bin/execsnoop-arm64', files: [], args: [] });
    expect(mine).toMatchObject({ objects: ['execsnoop-arm64#1'], predicted: 'pass', findings: [] });
    const theirs = checkForTest(embedded, { path: '/p/bin/execwatch-arm64', files: [], args: [] });
    expect(theirs).toMatchObject({ objects: ['execwatch-arm64#1'], predicted: 'fail' });
  });

  it('keeps the whole cell for a test that names none of its objects (a loader with its objects built in)', () => {
    expect(checkForTest(cell, { files: [], args: ['-v'] })).toBe(cell);
  });
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
