// The BPF-relevant CONFIG_ differences between two kernels, from real Debian
// configs and from small tables.

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configDifferences, configTextDifferences, formatDifference } from '../../src/facts/config-diff.js';
import { store } from './kernels.js';

async function configOf(source: string, arch: 'amd64' | 'arm64' | 's390x'): Promise<string> {
  const k = await store.kernel(source, arch);
  return readFile(k.configPath!, 'utf8');
}

describe('configDifferences', () => {
  it('bookworm amd64 vs s390x: no BTF and JIT on s390x come first; drivers named *BTF*, *LSM* stay out', async () => {
    const d = configTextDifferences(await configOf('debian:bookworm', 'amd64'), await configOf('debian:bookworm', 's390x'));
    const lines = d.map(formatDifference);
    expect(lines).toContain('CONFIG_DEBUG_INFO_BTF: y → not set');
    expect(lines).toContain('CONFIG_BPF_JIT: y → not set');
    expect(lines).toContain('CONFIG_BPF_LSM: y → not set');
    expect(d[0]!.area).toBe('bpf');
    expect(d.map((x) => x.name).filter((n) => /SONY|LSM6DS|I915/.test(n))).toEqual([]);
    const areas = [...new Set(d.map((x) => x.area))];
    expect(areas).toEqual(['bpf', 'btf', 'probes', 'lockdown', 'symbols', 'timing']);
    for (const x of d) expect(x.a).not.toBe(x.b);
  }, 120_000);

  it('trixie amd64 vs arm64: arm64 has no fprobe (kprobe.multi), amd64 does', async () => {
    const d = configTextDifferences(await configOf('debian:trixie', 'amd64'), await configOf('debian:trixie', 'arm64'));
    expect(d.find((x) => x.name === 'CONFIG_FPROBE')).toEqual({
      name: 'CONFIG_FPROBE',
      a: 'y',
      b: undefined,
      area: 'probes',
    });
  }, 120_000);

  it('orders by area then name, and leaves out equal values, unrelated options and arch capability flags', () => {
    const a = new Map([
      ['CONFIG_HZ', '250'],
      ['CONFIG_BPF_LSM', 'y'],
      ['CONFIG_KPROBES', 'y'],
      ['CONFIG_EXT4_FS', 'y'],
      ['CONFIG_HAVE_KPROBES_ON_FTRACE', 'y'],
      ['CONFIG_BPF_SYSCALL', 'y'],
    ]);
    const b = new Map([
      ['CONFIG_HZ', '1000'],
      ['CONFIG_CGROUP_BPF', 'y'],
      ['CONFIG_EXT4_FS', 'm'],
      ['CONFIG_BPF_SYSCALL', 'y'],
      ['CONFIG_LIRC', 'y'],
    ]);
    expect(configDifferences(a, b).map(formatDifference)).toEqual([
      'CONFIG_BPF_LSM: y → not set',
      'CONFIG_CGROUP_BPF: not set → y',
      'CONFIG_KPROBES: y → not set',
      'CONFIG_LIRC: not set → y',
      'CONFIG_HZ: 250 → 1000',
    ]);
  });
});
