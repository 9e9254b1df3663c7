// Who the loader runs as against what loading and attaching take (pure; the kernel's
// release and config, and the object's program types, are given).

import { describe, expect, it } from 'vitest';
import type { KernelView } from '../../src/facts/kernel-facts.js';
import { privilegeFindings, type Who } from '../../src/facts/privilege.js';
import type { ProgramFacts } from '../../src/facts/program-facts.js';

const kernel = (release: string, config?: Record<string, string>) =>
  ({ facts: { release }, config: config ? new Map(Object.entries(config)) : undefined }) as unknown as KernelView;
const program = (...progTypes: string[]) =>
  ({ programs: progTypes.map((progType, i) => ({ section: `s${i}`, kind: { progType, configs: [] } })) }) as unknown as ProgramFacts;
const needs = (p: ProgramFacts, k: KernelView, who: Who) => privilegeFindings(p, k, who, 'x.o').map((f) => [f.level, f.need]);

const kprobe = program('BPF_PROG_TYPE_KPROBE');
const filter = program('BPF_PROG_TYPE_SOCKET_FILTER');
const off = { CONFIG_BPF_UNPRIV_DEFAULT_OFF: 'y' };

describe('privilege findings', () => {
  it('root with every capability needs nothing', () => {
    expect(needs(kprobe, kernel('6.12.0'), {})).toEqual([]);
    expect(needs(kprobe, kernel('6.12.0'), { user: 'root' })).toEqual([]);
  });

  it('a user without capabilities cannot load a kprobe: CAP_BPF', () => {
    expect(needs(kprobe, kernel('6.12.117+deb13-amd64', off), { user: 'portmatrix' })).toEqual([['fail', 'CAP_BPF']]);
  });

  it('CAP_BPF and CAP_PERFMON suffice from 5.8 on; before 5.8 only CAP_SYS_ADMIN does', () => {
    expect(needs(kprobe, kernel('5.10.0-32-amd64'), { capabilities: ['bpf', 'perfmon'] })).toEqual([]);
    expect(needs(kprobe, kernel('5.4.0-200-generic'), { capabilities: ['bpf', 'perfmon'] })).toEqual([['fail', 'CAP_BPF']]);
    expect(needs(kprobe, kernel('4.18.0-553.el8'), { user: 'app', capabilities: ['sys_admin'] })).toEqual([]);
  });

  it('CAP_BPF without CAP_PERFMON loads maps but not a tracing program', () => {
    expect(needs(kprobe, kernel('6.1.0-50-amd64'), { capabilities: ['bpf'] })).toEqual([['fail', 'CAP_PERFMON']]);
    expect(needs(filter, kernel('6.1.0-50-amd64'), { capabilities: ['bpf'] })).toEqual([]);
  });

  it("above perf_event_paranoid=2 (Debian's default 3) a kprobe's perf event takes CAP_SYS_ADMIN, CAP_PERFMON is not enough", () => {
    const debian = kernel('6.12.117+deb13-amd64', { CONFIG_SECURITY_PERF_EVENTS_RESTRICT: 'y' });
    const caps = { capabilities: ['bpf', 'perfmon'] };
    expect(needs(kprobe, debian, caps)).toEqual([['fail', 'CAP_SYS_ADMIN']]);
    expect(needs(kprobe, debian, { ...caps, sysctl: { 'kernel.perf_event_paranoid': '2' } })).toEqual([]);
    expect(needs(kprobe, kernel('6.12.0', {}), caps)).toEqual([]);
    expect(needs(kprobe, debian, { capabilities: ['bpf', 'perfmon', 'sys_admin'] })).toEqual([]);
    expect(needs(kprobe, debian, {})).toEqual([]);
    // fentry and kprobe.multi attach through a BPF link, no perf event.
    expect(needs(program('BPF_PROG_TYPE_TRACING'), debian, caps)).toEqual([]);
  });

  it('a socket filter without capabilities: the kernel default, the cell sysctl, or unknown without a config', () => {
    expect(needs(filter, kernel('6.12.0', off), { user: 'u' })).toEqual([['fail', 'CAP_BPF']]);
    expect(needs(filter, kernel('6.12.0', {}), { user: 'u' })).toEqual([]);
    expect(needs(filter, kernel('6.12.0', off), { user: 'u', sysctl: { 'kernel.unprivileged_bpf_disabled': '0' } })).toEqual([]);
    expect(needs(filter, kernel('6.12.0'), { user: 'u' })).toEqual([['unknown', 'CAP_BPF']]);
  });
});
