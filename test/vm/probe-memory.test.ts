import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rememberedProbe } from '../../src/vm/probe-memory.js';

describe('the remembered KVM probe', () => {
  it('probes once per host boot and QEMU version, and again when either changes', async () => {
    const cache = await mkdtemp(path.join(os.tmpdir(), 'pm-probe-'));
    let probes = 0;
    const hang = async () => (probes++, { ok: false, why: 'a test boot under KVM hung for 8.0 s' });
    let boot = 'boot-a';
    const bootId = async () => boot;

    expect(await rememberedProbe(cache, 'amd64', '7.2.19', hang, bootId)()).toEqual({
      ok: false,
      why: 'a test boot under KVM hung for 8.0 s',
    });
    const again = await rememberedProbe(cache, 'amd64', '7.2.19', hang, bootId)();
    expect(again).toEqual({
      ok: false,
      why: 'a test boot under KVM hung for 8.0 s (probed earlier since this host booted)',
    });
    expect(probes).toBe(1);

    await rememberedProbe(cache, 'amd64', '8.0.0', hang, bootId)();
    expect(probes).toBe(2);
    boot = 'boot-b';
    await rememberedProbe(cache, 'amd64', '8.0.0', hang, bootId)();
    expect(probes).toBe(3);
    // Another arch has its own answer.
    await rememberedProbe(cache, 'arm64', '8.0.0', hang, bootId)();
    expect(probes).toBe(4);
    // Without a QEMU version nothing is remembered.
    await rememberedProbe(cache, 'amd64', undefined, hang, bootId)();
    await rememberedProbe(cache, 'amd64', undefined, hang, bootId)();
    expect(probes).toBe(6);
  });
});
