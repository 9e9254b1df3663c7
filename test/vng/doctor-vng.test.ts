// `portmatrix doctor` for a vng matrix: it asks for vng, the Rust virtiofsd and
// udev, and says how to install each. Fake tools on an injected PATH.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostFromEnv } from '../../src/doctor/host.js';
import { renderDoctor } from '../../src/doctor/render.js';
import { isRustVirtiofsd, vngChecks } from '../../src/doctor/vng.js';

/** A directory of fake tools, each printing the given --version line. */
function fakeBin(tools: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-vng-'));
  for (const [name, line] of Object.entries(tools)) fs.writeFileSync(path.join(dir, name), `#!/bin/sh\necho "${line}"\n`, { mode: 0o755 });
  return dir;
}

const checks = (tools: Record<string, string>) => vngChecks(hostFromEnv({ PATH: fakeBin(tools) }, os.tmpdir()));

describe('doctor with vm.backend: vng', () => {
  it('with none of them, says how to install each one', async () => {
    const results = await checks({});
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['vng', 'missing'],
      ['virtiofsd', 'missing'],
      ['udev', 'missing'],
    ]);
    const text = renderDoctor(results);
    expect(text).toContain('pip install virtme-ng==1.42, or run scripts/install-vng');
    expect(text).toContain('cargo install --locked virtiofsd@1.14.0');
    expect(text).toContain('  sudo apt-get install udev');
  });

  it("refuses QEMU's C virtiofsd and accepts the Rust one", async () => {
    const c = await checks({ vng: 'virtme-ng 1.42', virtiofsd: 'virtio-fs daemon version 7.2.19', udevadm: '252' });
    expect(c[0]).toMatchObject({ name: 'vng', status: 'ok', detail: expect.stringContaining('virtme-ng 1.42') });
    expect(c[1]).toMatchObject({
      name: 'virtiofsd',
      status: 'missing',
      detail: expect.stringContaining('is not the Rust virtiofsd (virtio-fs daemon version 7.2.19)'),
    });
    expect(c[2]).toMatchObject({ name: 'udev', status: 'ok' });
    const rust = await checks({ vng: 'virtme-ng 1.42', virtiofsd: 'virtiofsd 1.14.0', udevadm: '252' });
    expect(rust.every((r) => r.status === 'ok')).toBe(true);
  });

  it('tells the Rust virtiofsd by its version line', () => {
    expect(isRustVirtiofsd('virtiofsd 1.14.0')).toBe(true);
    expect(isRustVirtiofsd('virtiofsd v1.10.1')).toBe(true);
    expect(isRustVirtiofsd('virtio-fs daemon version 7.2.19')).toBe(false);
    expect(isRustVirtiofsd(undefined)).toBe(false);
  });
});
