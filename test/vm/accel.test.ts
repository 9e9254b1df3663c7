// KVM vs TCG: the decision table with fake probes, then the real probe boot.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InfraError } from '../../src/errors.js';
import { chooseAccel, kvmDeviceUsable, probeKvm, resetAccelCache } from '../../src/vm/accel.js';
import { devBusybox, devImages, devKernel } from '../helpers/dev-kernels.js';

const ok = async () => ({ ok: true, why: 'a test boot reached userspace in 0.9 s' });
const hang = async () => ({ ok: false, why: 'a test boot under KVM hung for 8.0 s' });
const usableDev = async () => ({ ok: true, why: '/dev/kvm is usable' });
const noDev = async () => ({ ok: false, why: '/dev/kvm does not exist' });

beforeEach(() => resetAccelCache());
// Downloads on a fresh machine take longer than a test's timeout: fetch in the hook.
beforeAll(() => devImages(['amd64']));

describe('chooseAccel', () => {
  it('takes TCG when asked, without probing', async () => {
    let probes = 0;
    const r = await chooseAccel('amd64', 'tcg', async () => (probes++, ok()), { hostArch: 'amd64', device: usableDev });
    expect(r).toEqual({ accel: 'tcg', why: 'TCG requested' });
    expect(probes).toBe(0);
  });

  it('uses KVM in auto mode when arch matches, the device opens and the probe boots', async () => {
    expect(await chooseAccel('amd64', 'auto', ok, { hostArch: 'amd64', device: usableDev })).toEqual({
      accel: 'kvm',
      why: 'KVM: a test boot reached userspace in 0.9 s',
    });
  });

  it('falls back to TCG in auto mode, saying why', async () => {
    expect(await chooseAccel('arm64', 'auto', ok, { hostArch: 'amd64', device: usableDev })).toEqual({
      accel: 'tcg',
      why: 'TCG: arm64 guest on a amd64 host cannot use KVM',
    });
    expect((await chooseAccel('amd64', 'auto', ok, { hostArch: 'amd64', device: noDev })).why).toBe('TCG: /dev/kvm does not exist');
    expect((await chooseAccel('amd64', 'auto', hang, { hostArch: 'amd64', device: usableDev })).why).toBe('TCG: a test boot under KVM hung for 8.0 s');
    resetAccelCache();
    const thrown = await chooseAccel(
      'amd64',
      'auto',
      async () => {
        throw new Error('boom');
      },
      { hostArch: 'amd64', device: usableDev },
    );
    expect(thrown).toEqual({ accel: 'tcg', why: 'TCG: KVM probe failed: Error: boom' });
  });

  it('throws InfraError (exit 3) when KVM is demanded but unusable', async () => {
    const err = await chooseAccel('amd64', 'kvm', hang, { hostArch: 'amd64', device: usableDev }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfraError);
    expect((err as InfraError).exitCode).toBe(3);
    expect((err as Error).message).toBe('KVM requested for amd64 but unusable: a test boot under KVM hung for 8.0 s; use accel: auto or tcg');
    await expect(chooseAccel('s390x', 'kvm', ok, { hostArch: 'amd64', device: usableDev })).rejects.toThrow(/s390x guest on a amd64 host/);
  });

  it('probes once per arch for the whole process, even for concurrent cells', async () => {
    let probes = 0;
    const slow = async () => {
      probes++;
      await new Promise((r) => setTimeout(r, 50));
      return ok();
    };
    const all = await Promise.all([1, 2, 3].map(() => chooseAccel('amd64', 'auto', slow, { hostArch: 'amd64', device: usableDev })));
    expect(all.every((r) => r.accel === 'kvm')).toBe(true);
    expect(probes).toBe(1);
  });
});

describe('kvmDeviceUsable', () => {
  it('reports a missing device', async () => {
    expect(await kvmDeviceUsable('/dev/portmatrix-no-such-kvm')).toEqual({
      ok: false,
      why: '/dev/portmatrix-no-such-kvm does not exist',
    });
  });
});

describe('probeKvm (real boot)', () => {
  it('answers within its watchdog on this host, and says why', async () => {
    const kernel = await devKernel('amd64');
    const busybox = await devBusybox('amd64');
    const t0 = Date.now();
    const r = await probeKvm(kernel, busybox, 'amd64', process.env, 8000);
    const ms = Date.now() - t0;
    console.log(`KVM probe: ${JSON.stringify(r)} in ${ms} ms`);
    // Either outcome is legitimate (nested PVM hosts hang or abort, GitHub runners boot);
    // what must hold is the deadline and a boot that happened: a QEMU that could not be
    // started is a broken test machine, not a probe answer.
    expect(ms).toBeLessThan(8000 + 3000);
    const booted = /^a test boot reached userspace in \d+\.\d s$/;
    const why = String.raw`(hung for \d+\.\d s|ended without reaching userspace \(qemu exit (\d+|SIG[A-Z]+)\))`;
    const notBooted = new RegExp(String.raw`^a test boot under KVM ${why}( \(last console line: .+\))?$`);
    expect(r.why).toMatch(r.ok ? booted : notBooted);
  }, 20_000);
});
