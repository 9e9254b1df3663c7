// One test's outcome from the guest's report: the five shapes of issue 12's cell
// (pass, exit 1, timeout keeping its output, kernel panic, pass), a Go test binary
// parsed case by case, a splat in the test's own kernel-log segment, expectations.

import { describe, expect, it } from 'vitest';
import type { TestSpec } from '../../src/core/cell.js';
import { cellStatus } from '../../src/outcome/cell-outcome.js';
import { decideTest, type TestRun } from '../../src/outcome/test-outcome.js';
import { testSpec } from '../helpers/cells.js';

const spec = (name: string, extra: Partial<TestSpec> = {}): TestSpec => testSpec({ name, path: `/t/${name}`, timeoutSec: 2, ...extra });
const run = (extra: Partial<TestRun>): TestRun => ({
  started: true,
  timedOut: false,
  stdout: '',
  stderr: '',
  kernelLog: '',
  ms: 10,
  ...extra,
});

describe('decideTest', () => {
  it('gives pass, fail, fail (timeout, output kept), fail (kernel panic), pass; the cell fails naming 3 of 5', () => {
    const tests = [
      decideTest(spec('ok'), run({ exitCode: 0 })),
      decideTest(spec('exits-1'), run({ exitCode: 1, stderr: 'boom\n' })),
      decideTest(spec('hangs'), run({ timedOut: true, stdout: 'still here\n' })),
      decideTest(spec('panics'), run({ guestDied: { why: 'kernel panic', consoleTail: 'Kernel panic - not syncing: sysrq triggered crash\n' } })),
      decideTest(spec('ok-again'), run({ exitCode: 0 })),
    ];
    expect(tests.map((t) => [t.name, t.status, t.reason])).toEqual([
      ['ok', 'pass', undefined],
      ['exits-1', 'fail', 'exited with code 1'],
      ['hangs', 'fail', 'timed out after 2s'],
      ['panics', 'fail', 'kernel panic while the test ran'],
      ['ok-again', 'pass', undefined],
    ]);
    expect(tests[2]!.stdout).toBe('still here\n');
    expect(tests[3]!.consoleTail).toContain('sysrq triggered crash');
    expect(cellStatus(tests, { bootFailed: false })).toBe('fail');
  });

  it("names a known failure from the output, and a splat from the test's own kernel-log segment", () => {
    expect(decideTest(spec('v'), run({ exitCode: 1, stderr: 'load program: permission denied\n' })).reason).toMatch(/permission denied/);
    const splat = decideTest(spec('s'), run({ exitCode: 0, kernelLog: '[   12.5] WARNING: CPU: 0 PID: 57 at kernel/bpf/core.c:1 x\n' }));
    expect([splat.status, splat.reason]).toEqual(['fail', 'kernel splat: WARNING: CPU: 0 PID: 57 at kernel/bpf/core.c:1 x']);
    // Under lockdown a refused helper is named as lockdown's doing, as for a loader.
    const refused = run({ exitCode: 4, stderr: "libbpf: prog 'x': unknown func bpf_probe_read#4\n" });
    expect(decideTest(spec('l'), { ...refused, lockdown: 'confidentiality' }).reason).toMatch(
      /^kernel lockdown \(confidentiality\) forbids reading kernel memory: /,
    );
    expect(decideTest(spec('l'), refused).reason).not.toMatch(/lockdown/);
  });

  it('parses a Go test binary case by case and fails on a failed case', () => {
    const S = '\x16';
    const stdout = [
      `${S}=== RUN   TestA`,
      `${S}--- PASS: TestA (0.01s)`,
      `${S}=== RUN   TestB`,
      '    b_test.go:9: no ring buffer',
      `${S}--- SKIP: TestB (0.00s)`,
      `${S}=== RUN   TestC`,
      `${S}=== RUN   TestC/sub`,
      '    c_test.go:4: wrong',
      `${S}    --- FAIL: TestC/sub (0.02s)`,
      `${S}--- FAIL: TestC (0.02s)`,
      `${S}FAIL`,
      '',
    ].join('\n');
    const t = decideTest(spec('go', { kind: 'gotest' }), run({ exitCode: 1, stdout }));
    expect(t.status).toBe('fail');
    expect(t.reason).toBe('TestC, TestC/sub failed');
    expect(t.cases!.map((c) => [c.name, c.status, c.skipMessage])).toEqual([
      ['TestA', 'pass', undefined],
      ['TestB', 'skip', 'no ring buffer'],
      ['TestC', 'fail', undefined],
      ['TestC/sub', 'fail', undefined],
    ]);
    expect(t.cases!.slice(0, 3).map((c) => c.elapsedMs)).toEqual([10, 0, 20]);
  });

  it('applies an expectation naming the test; a flaky one never turns a pass into xpass', () => {
    const expectFail = { result: 'fail' as const, reason: 'known' };
    expect(decideTest(spec('x', { expect: expectFail }), run({ exitCode: 1 })).status).toBe('xfail');
    expect(decideTest(spec('x', { expect: expectFail }), run({ exitCode: 0 })).status).toBe('xpass');
    expect(decideTest(spec('x', { expect: { result: 'flaky', reason: 'k' } }), run({ exitCode: 0 })).status).toBe('pass');
  });
});

describe('decideTest with the cell check', () => {
  const STATE = {
    kind: 'field' as const,
    level: 'fail' as const,
    object: 'naive.o',
    need: 'task_struct.state',
    detail: 'absent; task_struct has __state',
  };
  const check = {
    id: 'amd64/debian-bookworm/default',
    arch: 'amd64',
    kernel: 'debian-bookworm',
    btf: 'kernel',
    predicted: 'fail' as const,
    objects: ['naive.o'],
    findings: [STATE],
  };

  it('records the finding that explains the failure as it decides the test', () => {
    const stderr = 'load program: bad CO-RE relocation: invalid func unknown#195896080\n';
    const t = decideTest(spec('naive'), run({ exitCode: 1, stderr }), undefined, check);
    expect(t).toMatchObject({ status: 'fail', explanation: STATE, prediction: 'agree' });
  });

  it('says where a test predicted to fail passed, and records nothing without a check', () => {
    expect(decideTest(spec('naive'), run({ exitCode: 0 }), undefined, check).prediction).toBe('predicted-fail-passed');
    const t = decideTest(spec('naive'), run({ exitCode: 1 }));
    expect([t.explanation, t.prediction]).toEqual([undefined, undefined]);
  });
});
