// One attempt's outcome through the one pipeline, for a `loader:` matrix's one test:
// the guest's end (outcome/guest-infra.ts), its test (outcome/guest-tests.ts), the cell
// (outcome/cell-outcome.ts). What the VM and the guest said, as a table.
import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/core/cell.js';
import type { GuestReport } from '../../src/guest/frames.js';
import { decideCell, underCellExpect } from '../../src/outcome/cell-outcome.js';
import { guestInfra } from '../../src/outcome/guest-infra.js';
import { decideGuestTests } from '../../src/outcome/guest-tests.js';
import { classifyFailure } from '../../src/outcome/patterns.js';
import { undecidedTest } from '../../src/results/tests.js';
import type { VmExit } from '../../src/vm/process.js';

const cell = (expect?: Cell['expect']): Cell => ({
  id: 'amd64/debian-trixie/default',
  arch: 'amd64',
  kernel: { source: 'debian:trixie', name: 'debian-trixie' },
  config: { name: 'default', cmdline: [], sysctl: {} },
  libc: 'static',
  tests: [{ name: 'loader', kind: 'exec', path: '/x', args: [], env: {}, files: [], workdir: '', timeoutSec: 60 }],
  expect,
});

/** What the VM and the guest said about the loader. */
interface Seen {
  spawnError?: string;
  bootTimedOut: boolean;
  timedOut: boolean;
  qemuCode: number | null;
  qemuSignal?: string;
  done?: boolean;
  loaderStarted: boolean;
  /** Absent: the guest never reported the loader's end. */
  exitCode?: number;
  loaderTimedOut: boolean;
  stderr: string;
  kernelLog?: string;
  consoleTail: string;
}

const seen = (o: Partial<Seen>): Seen => ({
  bootTimedOut: false,
  timedOut: false,
  qemuCode: 0,
  loaderStarted: true,
  exitCode: 0,
  loaderTimedOut: false,
  stderr: '',
  consoleTail: '',
  ...o,
});

function decide(c: Cell, o: Seen) {
  const exit: VmExit = {
    code: o.qemuCode,
    signal: o.qemuSignal ?? null,
    timedOut: o.timedOut,
    bootTimedOut: o.bootTimedOut,
    aborted: false,
    consoleTail: o.consoleTail,
    durationMs: 1,
    spawnError: o.spawnError,
  };
  const ended = o.exitCode !== undefined;
  const test = {
    started: true,
    ended,
    exitCode: o.exitCode,
    timedOut: o.loaderTimedOut,
    stdout: '',
    stderr: o.stderr,
    dmesg: o.kernelLog ?? '',
  };
  const report: GuestReport = {
    phases: {},
    loaderStarted: o.loaderStarted,
    done: o.done ?? false,
    timedOut: false,
    stdout: '',
    stderr: '',
    dmesg: '',
    facts: {},
    sysctlErrors: [],
    tests: o.loaderStarted ? [test] : [],
  };
  const infra = guestInfra(exit, report, { bootDeadlineSec: 120 });
  const [t] = decideGuestTests(c, report, {
    consoleTail: o.consoleTail,
    afterStart: o.consoleTail,
    stopped: o.timedOut,
    infra,
  });
  return decideCell(c, [t ?? undecidedTest(c.tests[0]!, 'infra', infra)], { bootFailed: !o.loaderStarted, infra });
}

describe('one attempt of a loader', () => {
  it.each([
    ['exit 0', seen({}), undefined, 'pass', undefined],
    [
      'exit 1 with a BTF message',
      seen({ exitCode: 1, stderr: 'load: no BTF found for kernel version 6.1.0-50-s390x' }),
      undefined,
      'fail',
      'missing kernel BTF: load: no BTF found for kernel version 6.1.0-50-s390x',
    ],
    ['loader killed by its timeout', seen({ exitCode: 143, loaderTimedOut: true }), undefined, 'fail', 'loader timed out after 60s'],
    [
      'boot deadline',
      seen({
        loaderStarted: false,
        exitCode: undefined,
        bootTimedOut: true,
        timedOut: true,
        consoleTail: 'Probing EDD ... ok',
      }),
      undefined,
      'infra',
      'guest did not start /init within 120s: Probing EDD ... ok',
    ],
    [
      'panic before init',
      seen({
        loaderStarted: false,
        exitCode: undefined,
        qemuCode: 0,
        consoleTail: 'x\nKernel panic - not syncing: VFS: Unable to mount root fs\ny',
      }),
      undefined,
      'infra',
      'QEMU exited (code 0) before the loader started: Kernel panic - not syncing: VFS: Unable to mount root fs',
    ],
    [
      'qemu missing',
      seen({ spawnError: 'qemu-system-s390x not found; install qemu-system-misc', loaderStarted: false }),
      undefined,
      'infra',
      'qemu-system-s390x not found; install qemu-system-misc',
    ],
    [
      'guest died during the loader',
      seen({ exitCode: undefined, consoleTail: 'BUG: kernel NULL pointer dereference' }),
      undefined,
      'fail',
      'guest died while the loader ran: kernel splat: BUG: kernel NULL pointer dereference',
    ],
    [
      'QEMU SIGKILLed from outside during the loader',
      seen({
        exitCode: undefined,
        qemuCode: null,
        qemuSignal: 'SIGKILL',
        consoleTail: '@@portmatrix:0123456789abcdef phase=loader-start t=2.62',
      }),
      undefined,
      'infra',
      'QEMU was killed by SIGKILL from outside portmatrix (out of memory, or the runner stopped it)',
    ],
    [
      'QEMU killed after the guest reported everything changes nothing',
      seen({ done: true, qemuCode: null, qemuSignal: 'SIGKILL' }),
      undefined,
      'pass',
      undefined,
    ],
    [
      'our own deadline kill is the test hanging',
      seen({ exitCode: undefined, timedOut: true, qemuCode: null, qemuSignal: 'SIGKILL', consoleTail: 'mode sleep' }),
      undefined,
      'fail',
      'guest stopped responding while the loader ran: mode sleep',
    ],
    [
      'a kernel splat after exit 0 fails',
      seen({ kernelLog: '[   12.47] WARNING: CPU: 0 PID: 147 at net/core/dev.c:1 x+0x1/0x2' }),
      undefined,
      'fail',
      'kernel splat: WARNING: CPU: 0 PID: 147 at net/core/dev.c:1 x+0x1/0x2',
    ],
    [
      'an expected failure never hides the host',
      seen({ exitCode: undefined, qemuCode: null, qemuSignal: 'SIGKILL' }),
      { result: 'fail', reason: 'no BTF' },
      'infra',
      'QEMU was killed by SIGKILL from outside portmatrix (out of memory, or the runner stopped it)',
    ],
    ['expected failure that failed', seen({ exitCode: 2 }), { result: 'fail', reason: 'no BTF' }, 'xfail', 'loader exited with code 2'],
    ['expected failure that passed', seen({}), { result: 'fail', reason: 'no BTF' }, 'xpass', 'expected to fail (no BTF) but passed'],
    [
      'expected failure that did not boot stays infra',
      seen({ loaderStarted: false, exitCode: undefined, bootTimedOut: true }),
      { result: 'fail', reason: 'no BTF' },
      'infra',
      'guest did not start /init within 120s: the console stayed empty (a corrupt kernel image, or one for another arch?)',
    ],
  ] as const)('%s', (_name, observed, expectation, status, reason) => {
    const outcome = decide(cell(expectation as Cell['expect']), observed);
    expect(outcome.status).toBe(status);
    expect(outcome.reason).toBe(reason);
  });

  it('marks a failed test of a cell whose expect covers its tests xfail, as its live line shows it, and leaves others', () => {
    const expectation = { result: 'fail' as const, reason: 'lockdown' };
    const failed = undecidedTest(cell().tests[0]!, 'fail', 'unknown func bpf_probe_read#4');
    expect(underCellExpect(failed, expectation)).toMatchObject({ status: 'xfail', expected: expectation });
    expect(underCellExpect(failed, undefined)).toBe(failed);
    const infra = undecidedTest(cell().tests[0]!, 'infra', 'guest died');
    expect(underCellExpect(infra, expectation)).toBe(infra);
    expect(decideCell(cell(expectation), [failed], { bootFailed: false }).tests).toEqual([underCellExpect(failed, expectation)]);
  });
});

describe('classifyFailure', () => {
  it.each([
    ['field CO-RE', 'load objects: program kprobe_execve: load program: bad CO-RE relocation: invalid func unknown#195896080', 'CO-RE relocation failure'],
    ['memlock', 'map create: operation not permitted (MEMLOCK may be too low, consider rlimit.RemoveMemlock)', 'memlock limit'],
    ['tracefs', 'unable to derive a value for LINUX_HAS_SYSCALL_WRAPPER: neither debugfs nor tracefs are mounted', 'tracefs/debugfs not mounted'],
    ['plain EPERM', 'attach kprobe: operation not permitted', 'permission denied'],
    ['glibc', "/portmatrix/loader: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found (required by /portmatrix/loader)", 'libc mismatch'],
  ])('%s', (_name, stderr, reason) => {
    expect(classifyFailure({ stdout: '', stderr, dmesg: '' })?.split(':')[0]).toBe(reason);
  });

  it.each([
    ['6.1', 'load program: invalid argument: unknown func bpf_probe_read#4 (28 line(s) omitted)', 'unknown func bpf_probe_read#4'],
    ['6.12', 'load program: invalid argument: program of this type cannot use helper bpf_probe_read#4', 'cannot use helper bpf_probe_read#4'],
  ])('names lockdown when the guest ran under it (%s)', (_k, stderr, quoted) => {
    expect(classifyFailure({ stdout: '', stderr, dmesg: '' }, 'confidentiality')).toBe(
      `kernel lockdown (confidentiality) forbids reading kernel memory: ${quoted}`,
    );
    expect(classifyFailure({ stdout: '', stderr, dmesg: '' }, 'none')).toMatch(/^(unknown helper|verifier)/);
  });

  it("prefers the loader's words over dmesg noise", () => {
    const dmesg =
      '[    0.1] LSM: initializing lsm=lockdown,capability,landlock\n[    3.2] Lockdown: loader: use of tracefs is restricted; see man kernel_lockdown.7';
    expect(classifyFailure({ stdout: '', stderr: 'attach kprobe: operation not permitted', dmesg })).toBe(
      'permission denied: attach kprobe: operation not permitted',
    );
    expect(classifyFailure({ stdout: '', stderr: 'exit status 1', dmesg })).toBe(
      'permission denied (lockdown): [    3.2] Lockdown: loader: use of tracefs is restricted; see man kernel_lockdown.7',
    );
  });

  it('says nothing when nothing is recognisable', () => {
    expect(classifyFailure({ stdout: 'hello', stderr: 'bye', dmesg: '' })).toBeUndefined();
  });
});
