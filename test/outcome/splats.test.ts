// Kernel splats, the test's kernel-log segment and the reasons drawn from it, on
// real samples: console and dmesg text captured from Debian kernels booted under
// QEMU (samples/samples.json says which kernel and when each loader started).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFrameLine, logSegment, stampOf } from '../../src/outcome/kernel-log.js';
import { compileSplatRules, failingSplat, scanSplats, splatKind } from '../../src/outcome/splats.js';
import { guestDeath, testVerdict } from '../../src/outcome/verdict.js';

const dir = path.join(import.meta.dirname, 'samples');
const sample = (name: string) => readFileSync(path.join(dir, name), 'utf8');
const meta: Record<string, { loaderStart: number; kernel: string }> = JSON.parse(sample('samples.json'));

/** Console lines after the loader-start frame: what the run path keeps for a crash. */
function afterStart(consoleLog: string): string {
  const lines = consoleLog.split('\n');
  return lines.slice(lines.findIndex((l) => l.includes(' phase=loader-start ')) + 1).join('\n');
}

describe('kernel-log segment', () => {
  it.each(['trixie', 'bullseye'])('keeps only what %s logged after the loader started', (suite) => {
    const name = `${suite}-amd64-kmsg-warning.dmesg`;
    const dmesg = sample(name);
    const segment = logSegment(dmesg, meta[name]!.loaderStart);
    expect(dmesg.split('\n').length).toBeGreaterThan(300);
    expect(segment).toMatch(/^\[\s*\d+\.\d+\] WARNING: CPU: 0 PID: \d+ at drivers\/misc\/pm_selftest.c:42 pm_selftest\+0x1a\/0x30$/);
    expect(segment.split('\n').every((l) => stampOf(l)! >= meta[name]!.loaderStart)).toBe(true);
  });

  it('boot noise before the loader never enters the segment', () => {
    const name = 'trixie-amd64-gopanic.dmesg';
    const dmesg = sample(name);
    expect(dmesg).toMatch(/\[\s*0\.000000\] /);
    expect(logSegment(dmesg, meta[name]!.loaderStart)).toBe('');
  });
});

describe('splats', () => {
  it('a WARNING written by a loader fails the test that exited 0, with its first line', () => {
    const name = 'trixie-amd64-kmsg-warning.dmesg';
    const kernelLog = logSegment(sample(name), meta[name]!.loaderStart);
    expect(testVerdict({ exitCode: 0, stdout: 'mode warn\n', stderr: '', kernelLog })).toEqual({
      status: 'fail',
      reason: expect.stringMatching(/^kernel splat: WARNING: CPU: 0 PID: \d+ at drivers\/misc\/pm_selftest.c:42 pm_selftest\+0x1a\/0x30$/),
    });
  });

  it('allow tolerates it; deny overrides allow and adds lines of its own', () => {
    const name = 'bullseye-amd64-kmsg-warning.dmesg';
    const kernelLog = logSegment(sample(name), meta[name]!.loaderStart);
    const allowed = compileSplatRules({ allow: ['at drivers/misc/pm_selftest\\.c:'], deny: [] });
    expect(testVerdict({ exitCode: 0, stdout: '', stderr: '', kernelLog }, allowed)).toEqual({ status: 'pass' });
    const denied = compileSplatRules({ allow: ['pm_selftest'], deny: ['pm_selftest\\+0x1a'] });
    expect(failingSplat(kernelLog, denied)?.kind).toBe('warning');
    expect(splatKind('bpf_jit: jit failed for prog 7', compileSplatRules({ allow: [], deny: ['^bpf_jit: '] }))).toBe('denied');
  });

  it.each(['trixie', 'bullseye'])("the kernel's own BPF warning on %s (bpf_probe_write_user) fails a loader that exited 0", (suite) => {
    const name = `${suite}-amd64-bpf-probe-write-user.dmesg`;
    const kernelLog = logSegment(sample(name), meta[name]!.loaderStart);
    expect(scanSplats(kernelLog).map((s) => s.kind)).toContain('bpf');
    expect(testVerdict({ exitCode: 0, stdout: 'loaded\n', stderr: '', kernelLog }).reason).toMatch(
      /^kernel splat: loader\[\d+\] is installing a program with bpf_probe_write_user helper that may corrupt user memory!$/,
    );
  });

  it('a clean boot has no splat at all, from 0.000000 on', () => {
    for (const name of [
      'trixie-amd64-gopanic.dmesg',
      'trixie-amd64-kmsg-warning.dmesg',
      'bullseye-amd64-kmsg-warning.dmesg',
      'trixie-amd64-bpf-probe-write-user.dmesg',
    ]) {
      const splats = scanSplats(logSegment(sample(name), 0));
      expect(splats.filter((s) => !s.line.includes('pm_selftest') && !s.line.includes('bpf_probe_write_user'))).toEqual([]);
    }
  });

  // First lines as the kernel's format strings print them (no real boot triggers these here).
  it.each([
    ['BUG: KASAN: slab-out-of-bounds in bpf_map_lookup_elem+0x2d/0x40', 'kasan'],
    ['UBSAN: array-index-out-of-bounds in kernel/bpf/verifier.c:1234:5', 'ubsan'],
    ['watchdog: BUG: soft lockup - CPU#0 stuck for 26s! [loader:147]', 'soft lockup'],
    ['watchdog: Watchdog detected hard LOCKUP on cpu 1', 'hard lockup'],
    ['rcu: INFO: rcu_preempt self-detected stall on CPU', 'rcu stall'],
    ['INFO: task loader:147 blocked for more than 120 seconds.', 'hung task'],
    ['Oops: general protection fault, probably for non-canonical address 0xdead000000000122: 0000 [#1] PREEMPT SMP NOPTI', 'general protection fault'],
    ['BUG: kernel NULL pointer dereference, address: 0000000000000008', 'bug'],
    ['Internal error: Oops: 0000000096000004 [#1] SMP', 'oops'],
    ['Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008', 'oops'],
    ['Kernel panic - not syncing: sysrq triggered crash', 'panic'],
  ])('%s is a %s splat', (line, kind) => {
    expect(splatKind(line)).toBe(kind);
  });
});

describe('a guest that died', () => {
  it.each(['trixie', 'bullseye'])('a kernel panic in %s is the test failure, named by its first line, without framing lines', (suite) => {
    const reason = guestDeath(afterStart(sample(`${suite}-amd64-sysrq-panic.console`)), false);
    expect(reason).toBe('guest died while the loader ran: kernel panic: Kernel panic - not syncing: sysrq triggered crash');
  });

  it('without a splat the last line that is not ours is quoted, never a frame', () => {
    const console = '@@portmatrix:0123456789abcdef phase=loader-start t=2.62\nmode sleep\n@@portmatrix:0123456789abcdef phase=x t=3\n';
    expect(guestDeath(console, false)).toBe('guest died while the loader ran: mode sleep');
    expect(isFrameLine('@@portmatrix:0123456789abcdef phase=loader-start t=2.62')).toBe(true);
  });
});

describe('reasons from the right lines', () => {
  it('a boot line that mentions the verifier never explains a failure (the line the issue reported, put at 0.000000 of a real boot log)', () => {
    const name = 'trixie-amd64-kmsg-warning.dmesg';
    const dmesg = `[    0.000000] trace event string verifier disabled\n${sample(name)}`;
    const kernelLog = logSegment(dmesg, meta[name]!.loaderStart);
    const verdict = testVerdict({
      exitCode: 3,
      stdout: '',
      stderr: 'loader: map pm_events: create: unexpected configuration\n',
      kernelLog,
    });
    // The segment's WARNING is the only kernel-side fact that belongs to the test.
    expect(verdict.reason).toMatch(/^kernel splat: WARNING: CPU: 0 PID: \d+ at drivers\/misc\/pm_selftest\.c:42/);
    const quiet = testVerdict({
      exitCode: 3,
      stdout: '',
      stderr: 'loader: map pm_events: create: unexpected configuration\n',
      kernelLog: logSegment(dmesg, 1e9),
    });
    expect(quiet).toEqual({ status: 'fail', reason: 'loader exited with code 3' });
  });

  it('a Go nil-pointer panic is a crash of the loader, not a verifier rejection', () => {
    const name = 'trixie-amd64-gopanic.dmesg';
    const verdict = testVerdict({
      exitCode: 2,
      stdout: sample('go-nil-pointer-panic.stdout'),
      stderr: sample('go-nil-pointer-panic.stderr'),
      kernelLog: logSegment(sample(name), meta[name]!.loaderStart),
    });
    expect(verdict).toEqual({
      status: 'fail',
      reason: 'loader crashed: panic: runtime error: invalid memory address or nil pointer dereference',
    });
  });
});
