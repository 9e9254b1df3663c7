// What the cache holds and which lock files refer to it: for `images ls` and `prune`.

import { lstat, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { LockData } from './lockfile.js';

export interface CacheEntry {
  kind: 'blob' | 'tree' | 'deb-meta' | 'tmp';
  /** sha256 hex for blobs/trees/metas, the name for tmp. */
  id: string;
  path: string;
  bytes: number;
  /** Lock descriptions referring to it, e.g. `debian:trixie amd64 kernel`. */
  refs: string[];
}

/** Bytes under `p`; symlinks count as themselves (libc trees hold relative and dangling ones). */
async function du(p: string): Promise<number> {
  const s = await lstat(p);
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const e of await readdir(p)) total += await du(path.join(p, e));
  return total;
}

const list = (dir: string) => readdir(dir).catch(() => [] as string[]);

/** hex → what refers to it, over every given lock. */
export function lockReferences(locks: LockData[]): Map<string, string[]> {
  const refs = new Map<string, string[]>();
  const add = (hex: string | undefined, what: string) => hex && refs.set(hex, [...(refs.get(hex) ?? []), what]);
  for (const lock of locks) {
    for (const [key, k] of Object.entries(lock.kernels)) {
      add(k.kernelSha256, `${key} kernel`);
      add(k.configSha256, `${key} config`);
      for (const d of k.debs ?? []) add(d.sha256, `${key} ${d.package}`);
      // RPM kernels: the modules the guest loads (the RPMs themselves are not kept).
      for (const m of k.modules ?? []) add(m.sha256, `${key} ${m.name}.ko`);
    }
    for (const [arch, b] of Object.entries(lock.busybox)) {
      add(b.sha256, `busybox ${arch}`);
      for (const d of b.debs) add(d.sha256, `busybox ${arch} ${d.package}`);
    }
    for (const [key, l] of Object.entries(lock.libc)) for (const d of l.debs) add(d.sha256, `libc ${key}`);
    for (const [key, p] of Object.entries(lock.packages ?? {})) {
      add(p.sha256, `packages ${key}`);
      for (const d of p.debs) add(d.sha256, `packages ${key} ${d.package}`);
    }
    for (const [key, b] of Object.entries(lock.btf ?? {})) add(b.btfSha256, `${key} btf`);
  }
  return refs;
}

/** Blobs a referenced .deb was unpacked into (e.g. its kernel modules) count as referenced too. */
async function addDebBlobs(cacheDir: string, refs: Map<string, string[]>): Promise<void> {
  for (const name of await list(path.join(cacheDir, 'debs'))) {
    const deb = name.split('.')[0]!;
    const by = refs.get(deb);
    if (!by) continue;
    try {
      const meta = JSON.parse(await readFile(path.join(cacheDir, 'debs', name), 'utf8')) as {
        files?: Record<string, string>;
      };
      for (const [member, hex] of Object.entries(meta.files ?? {}))
        if (!refs.has(hex)) refs.set(hex, [...(refs.get(hex) ?? []), `${by[0]} ${path.basename(member)}`]);
    } catch {
      // unreadable meta: its blobs stay unreferenced
    }
  }
}

export async function inventory(cacheDir: string, locks: LockData[]): Promise<CacheEntry[]> {
  const refs = lockReferences(locks);
  await addDebBlobs(cacheDir, refs);
  const out: CacheEntry[] = [];
  const blobs = path.join(cacheDir, 'blobs', 'sha256');
  for (const name of (await list(blobs)).sort()) {
    const p = path.join(blobs, name);
    const kind = name.startsWith('.partial-') ? 'tmp' : 'blob';
    out.push({ kind, id: name, path: p, bytes: await du(p), refs: refs.get(name) ?? [] });
  }
  for (const name of (await list(path.join(cacheDir, 'trees'))).sort()) {
    const p = path.join(cacheDir, 'trees', name);
    out.push({ kind: 'tree', id: name, path: p, bytes: await du(p), refs: refs.get(name) ?? [] });
  }
  for (const name of (await list(path.join(cacheDir, 'debs'))).sort()) {
    const p = path.join(cacheDir, 'debs', name);
    const hex = name.split('.')[0]!; // <deb sha256>.json and <deb sha256>.<part>.json
    out.push({ kind: 'deb-meta', id: hex, path: p, bytes: await du(p), refs: refs.get(hex) ?? [] });
  }
  for (const name of await list(path.join(cacheDir, 'tmp'))) {
    const p = path.join(cacheDir, 'tmp', name);
    out.push({ kind: 'tmp', id: name, path: p, bytes: await du(p), refs: [] });
  }
  return out;
}

/** Deletes every entry no lock refers to; returns what was removed. */
export async function prune(cacheDir: string, locks: LockData[]): Promise<CacheEntry[]> {
  const removed: CacheEntry[] = [];
  for (const e of await inventory(cacheDir, locks)) {
    if (e.refs.length > 0) continue;
    await rm(e.path, { recursive: true, force: true });
    removed.push(e);
  }
  return removed;
}
