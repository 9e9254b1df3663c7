// `images ls` walks the cache; unpacked libc trees hold symlinks (some dangling on
// the host, like lib64/ld-linux-x86-64.so.2 → /lib/...), which must not crash it.
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { inventory } from '../../src/images/inventory.js';

it('sizes trees with dangling symlinks and marks unreferenced entries', async () => {
  const cache = await mkdtemp(path.join(os.tmpdir(), 'pm-inv-'));
  const tree = path.join(cache, 'trees', 'ab'.repeat(32));
  await mkdir(path.join(tree, 'lib64'), { recursive: true });
  await writeFile(path.join(tree, 'lib64', 'libc.so.6'), Buffer.alloc(1000));
  await symlink('/nonexistent/ld-linux-x86-64.so.2', path.join(tree, 'lib64', 'ld-linux-x86-64.so.2'));
  await mkdir(path.join(cache, 'blobs', 'sha256'), { recursive: true });
  await writeFile(path.join(cache, 'blobs', 'sha256', 'cd'.repeat(32)), Buffer.alloc(10));

  const entries = await inventory(cache, []);
  expect(entries.map((e) => [e.kind, e.id, e.refs])).toEqual([
    ['blob', 'cd'.repeat(32), []],
    ['tree', 'ab'.repeat(32), []],
  ]);
  expect(entries[1]!.bytes).toBeGreaterThanOrEqual(1000);
});

it('guest packages keep their tree and their .deb blobs referenced (prune leaves them)', async () => {
  const { emptyLock } = await import('../../src/images/lockfile.js');
  const { lockReferences } = await import('../../src/images/inventory.js');
  const lock = emptyLock();
  const deb = {
    package: 'libelf1',
    version: '0.188-2.1',
    filename: 'pool/main/e/elfutils/libelf1_0.188-2.1_arm64.deb',
    sha256: 'ef'.repeat(32),
    size: 1,
  };
  lock.packages['bookworm arm64 libelf1'] = { sha256: '12'.repeat(32), debs: [deb] };
  const refs = lockReferences([lock]);
  expect(refs.get('12'.repeat(32))).toEqual(['packages bookworm arm64 libelf1']);
  expect(refs.get('ef'.repeat(32))).toEqual(['packages bookworm arm64 libelf1 libelf1']);
});

it('a lock without guest packages renders without a packages key (no churn in existing locks)', async () => {
  const { emptyLock, renderLock } = await import('../../src/images/lockfile.js');
  expect(renderLock(emptyLock())).not.toContain('packages');
  const lock = emptyLock();
  lock.packages['trixie amd64 zlib1g'] = { debs: [] };
  expect(JSON.parse(renderLock(lock)).packages).toEqual({ 'trixie amd64 zlib1g': { debs: [] } });
});

it("an RPM kernel's module blobs stay referenced (prune leaves them)", async () => {
  const { emptyLock } = await import('../../src/images/lockfile.js');
  const { lockReferences } = await import('../../src/images/inventory.js');
  const lock = emptyLock();
  lock.kernels['almalinux:9 amd64'] = {
    source: 'almalinux:9',
    arch: 'amd64',
    release: '5.14.0-503.el9.x86_64',
    kernelSha256: 'aa'.repeat(32),
    modules: [{ name: 'virtio_console', sha256: 'bb'.repeat(32) }],
  };
  expect(lockReferences([lock]).get('bb'.repeat(32))).toEqual(['almalinux:9 amd64 virtio_console.ko']);
});
