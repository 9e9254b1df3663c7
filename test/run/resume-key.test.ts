import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/core/cell.js';
import { inputsHash } from '../../src/engine/resume-key.js';
import { guestCode } from '../../src/guest/fingerprint.js';
import { compileSplatRules } from '../../src/outcome/splats.js';

const vm = {
  memory: 512,
  cpus: 1,
  bootTimeout: 60,
  accel: 'tcg' as const,
  backend: 'qemu' as const,
  network: false,
  snapshot: 'auto' as const,
};

/** A one-test cell whose program is a real file (the key hashes it). */
async function loaderCell() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-key-'));
  await writeFile(path.join(dir, 'loader.sh'), '#!/bin/sh\n');
  const cell: Cell = {
    id: 'amd64/debian-trixie/default',
    arch: 'amd64',
    kernel: { source: 'debian:trixie', name: 'debian-trixie' },
    config: { name: 'default', cmdline: [], sysctl: {} },
    libc: 'static',
    tests: [
      {
        name: 'loader',
        kind: 'exec',
        path: path.join(dir, 'loader.sh'),
        args: [],
        env: {},
        files: [],
        workdir: '',
        timeoutSec: 60,
      },
    ],
  };
  return { cell, vm };
}

describe('the --resume key', () => {
  it('changes with the splat rules (they change outcomes), and not when there are none', async () => {
    const { cell, vm } = await loaderCell();
    const plain = await inputsHash(cell, 'k', vm);
    expect(await inputsHash(cell, 'k', vm, compileSplatRules({ allow: [], deny: [] }))).toBe(plain);
    expect(await inputsHash(cell, 'k', vm, compileSplatRules({ allow: ['pm_selftest'], deny: [] }))).not.toBe(plain);
  });
});

describe('the guest side in the --reuse key', () => {
  it('changes when a guest script or a helper changes, and is read once per arch', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'pm-guest-code-'));
    const guestDir = path.join(root, 'guest');
    await mkdir(path.join(root, 'vm-images', 'bin'), { recursive: true });
    await mkdir(guestDir);
    await writeFile(path.join(guestDir, 'init-script.js'), 'one');
    await writeFile(path.join(guestDir, 'init-script.d.ts'), 'types only');
    const first = await guestCode('amd64', root, guestDir);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    // Memoised: a change within the process is not seen (one read per run).
    await writeFile(path.join(guestDir, 'init-script.js'), 'two');
    expect(await guestCode('amd64', root, guestDir)).toBe(first);
    guestCode.clear();
    const script = await guestCode('amd64', root, guestDir);
    expect(script).not.toBe(first);
    // Declarations are not what the guest runs.
    await writeFile(path.join(guestDir, 'init-script.d.ts'), 'other types');
    guestCode.clear();
    expect(await guestCode('amd64', root, guestDir)).toBe(script);
    // A helper built (or rebuilt) for the arch counts; another arch's does not.
    await writeFile(path.join(root, 'vm-images', 'bin', 'pmcell-amd64'), 'pmcell');
    await writeFile(path.join(root, 'vm-images', 'bin', 'pmcell-s390x'), 'pmcell');
    guestCode.clear();
    const helper = await guestCode('amd64', root, guestDir);
    expect(helper).not.toBe(script);
    expect(await guestCode('arm64', root, guestDir)).not.toBe(helper);
    await writeFile(path.join(root, 'vm-images', 'bin', 'pmcell-s390x'), 'pmcell 2');
    guestCode.clear();
    expect(await guestCode('amd64', root, guestDir)).toBe(helper);
  });

  it('keys a result on it', async () => {
    const { cell, vm } = await loaderCell();
    const guest = { busybox: '/cache/blobs/busybox' };
    const a = await inputsHash(cell, 'k', vm, undefined, { ...guest, code: 'a'.repeat(64) });
    expect(await inputsHash(cell, 'k', vm, undefined, { ...guest, code: 'a'.repeat(64) })).toBe(a);
    expect(await inputsHash(cell, 'k', vm, undefined, { ...guest, code: 'b'.repeat(64) })).not.toBe(a);
  });
});
