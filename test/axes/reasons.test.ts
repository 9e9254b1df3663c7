// How a config-axis failure is explained: the loader's own line, who it ran as,
// and what the kernel wanted. The texts are those seen on Debian 6.12 guests
// (test/axes/capabilities.test.ts, libc.test.ts boot them for real).

import { describe, expect, it } from 'vitest';
import { libcFit } from '../../src/libc/fit.js';
import { glibcRelease, newestGlibcNeed } from '../../src/libc/glibc.js';
import { explainPermission } from '../../src/outcome/explain.js';
import { classifyFailure } from '../../src/outcome/patterns.js';
import { capabilityNames, describeCredentials } from '../../src/results/credentials.js';

const MAP_EPERM = 'execsnoop: load: map events: map create: operation not permitted (MEMLOCK may be too low, consider rlimit.RemoveMemlock)';
const reasonOf = (stderr: string) => classifyFailure({ stdout: '', stderr, dmesg: '' });

describe('capabilities in reports', () => {
  it('decodes CapEff hex into names', () => {
    expect(capabilityNames('000000c000000000')).toEqual(['perfmon', 'bpf']);
    expect(capabilityNames('0000000000000002')).toEqual(['dac_override']);
    expect(capabilityNames('not hex')).toEqual([]);
  });

  it('describes who the loader ran as', () => {
    expect(describeCredentials({ uid: 0, capEff: '000001ffffffffff' })).toBe('uid 0, all capabilities');
    // A 5.4-era kernel has no CAP_PERFMON/CAP_BPF: still "all" of what it has.
    expect(describeCredentials({ uid: 0, capEff: '0000003fffffffff' })).toBe('uid 0, all capabilities');
    expect(describeCredentials({ uid: 1000, capEff: '0000000000000000' })).toBe('uid 1000, no capabilities');
    expect(describeCredentials({ uid: 1000, capEff: '000000c000000002' })).toBe('uid 1000, CAP_DAC_OVERRIDE+CAP_PERFMON+CAP_BPF');
    expect(describeCredentials({})).toBeUndefined();
  });
});

describe('explainPermission', () => {
  it("turns cilium/ebpf's MEMLOCK hint into the missing capability for an unprivileged loader", () => {
    expect(reasonOf(MAP_EPERM)).toMatch(/^memlock limit: /);
    expect(explainPermission(reasonOf(MAP_EPERM), { uid: 1000, capEff: '0000000000000000' })).toBe(
      `permission denied: ${MAP_EPERM} (the loader ran as uid 1000, no capabilities; loading BPF needs CAP_BPF or CAP_SYS_ADMIN, kprobes and perf events need CAP_PERFMON or CAP_SYS_ADMIN)`,
    );
  });

  it('leaves a root loader with every capability alone: the memlock reason stands (5.10)', () => {
    expect(explainPermission(reasonOf(MAP_EPERM), { uid: 0, capEff: '000001ffffffffff' })).toBe(reasonOf(MAP_EPERM));
  });

  it("points at Debian's perf_event_paranoid=3 when CAP_PERFMON was there but the perf event was refused", () => {
    const r = explainPermission(reasonOf('execsnoop: attach: token sys_execve: opening perf event: permission denied'), { uid: 0, capEff: '000000c000000000' });
    expect(r).toContain('(the loader ran as uid 0, CAP_PERFMON+CAP_BPF; Debian kernels default to kernel.perf_event_paranoid=3');
  });

  it('points at tracefs ownership for a non-root loader, and not for root', () => {
    const stderr = 'detect support for syscall wrapper: open /sys/kernel/tracing/kprobe_events: permission denied';
    expect(explainPermission(reasonOf(stderr), { uid: 1000, capEff: '000000c000000000' })).toContain('needs CAP_DAC_OVERRIDE');
    expect(explainPermission(reasonOf(stderr), { uid: 0, capEff: '000001ffffffffff' })).toBe(reasonOf(stderr));
  });

  it('keeps lockdown and non-permission reasons as they are', () => {
    expect(explainPermission('permission denied (lockdown): x', { uid: 1000, capEff: '0' })).toBe('permission denied (lockdown): x');
    expect(explainPermission('verifier rejection: x', { uid: 1000, capEff: '0' })).toBe('verifier rejection: x');
  });
});

describe('the dynamic linker in both quoting styles', () => {
  it('recognises glibc < 2.37 and newer messages as libc mismatch', () => {
    expect(reasonOf("/portmatrix/loader: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found (required by /portmatrix/loader)")).toMatch(
      /^libc mismatch: /,
    );
    expect(reasonOf("/portmatrix/loader: /lib/x86_64-linux-gnu/libc.so.6: version 'GLIBC_2.42' not found (required by /portmatrix/loader)")).toMatch(
      /^libc mismatch: /,
    );
    expect(
      reasonOf('/portmatrix/loader: error while loading shared libraries: libbpf.so.1: cannot open shared object file: No such file or directory'),
    ).toMatch(/^libc mismatch: /);
  });
});

describe('libc needs', () => {
  it('reads GLIBC version names as releases and ignores private ones', () => {
    expect(glibcRelease('GLIBC_2.3.4')).toEqual([2, 3, 4]);
    expect(glibcRelease('GLIBC_ABI_DT_RELR')).toEqual([2, 36, 0]);
    expect(glibcRelease('GLIBC_PRIVATE')).toBeUndefined();
    expect(
      newestGlibcNeed({
        'libc.so.6': ['GLIBC_2.2.5', 'GLIBC_2.34', 'GLIBC_2.4'],
        'libm.so.6': ['GLIBC_2.29'],
        'libfoo.so.1': ['GLIBC_9.9'],
      }),
    ).toEqual({ release: [2, 34, 0], names: ['GLIBC_2.34'] });
  });

  it('predicts failures for libraries libc6 does not ship, unless loader.files ships them', () => {
    const elf = {
      static: false,
      interpreter: '/lib/ld-linux-aarch64.so.1',
      needed: ['libbpf.so.1', 'libc.so.6'],
      versionNeeds: { 'libc.so.6': ['GLIBC_2.17'] },
    };
    expect(libcFit(elf, 'debian:bullseye')).toMatchObject({
      kind: 'fails',
      why: expect.stringContaining('needs libbpf.so.1, which libc6 does not provide'),
    });
    expect(libcFit(elf, 'debian:bullseye', { shipped: ['libbpf.so.1'] })).toEqual({ kind: 'runs' });
    expect(libcFit({ ...elf, interpreter: '/lib/ld-musl-aarch64.so.1', needed: [] }, 'debian:trixie')).toMatchObject({
      kind: 'fails',
    });
    expect(libcFit({ ...elf, static: true }, 'static')).toEqual({ kind: 'runs' });
    // sid moves: known only once its libc6 is unpacked (outcome/explain.ts passes the real version).
    expect(libcFit({ ...elf, needed: ['libc.so.6'] }, 'debian:sid')).toMatchObject({
      kind: 'runs',
      note: expect.any(String),
    });
    expect(
      libcFit({ ...elf, needed: ['libc.so.6'], versionNeeds: { 'libc.so.6': ['GLIBC_2.43'] } }, 'debian:sid', {
        glibc: '2.42',
      }),
    ).toMatchObject({ kind: 'fails' });
  });
});

describe('libcPreflight', () => {
  it('says nothing for static loaders and scripts, one line per dynamic loader', async () => {
    const { libcPreflight } = await import('../../src/libc/preflight.js');
    const cell = (p: string, libc: string) => ({ libc, test: { path: p, files: [] } });
    // /bin/true: the host's dynamic amd64 binary; bookworm's needs GLIBC_2.34, newer than bullseye's 2.31.
    const lines = await libcPreflight([
      cell('/bin/true', 'static'),
      cell('/bin/true', 'debian:bullseye'),
      cell('/bin/true', 'debian:trixie'),
      cell('/no/such', 'static'),
    ]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^loader \/bin\/true is dynamic: \/lib64\/ld-linux-x86-64\.so\.2; libc\.so\.6; needs glibc ≥ 2\.34 \(GLIBC_2\.34\): runs in debian:trixie; expected to fail in debian:bullseye \(it needs GLIBC_2\.34 but debian:bullseye has glibc 2\.31\); skipped in static/,
    );
  });
});
