// Saved VM states in the cache, one per boot key (boot/boot-key.ts):
//   <cacheDir>/snapshots/<key>.state   the QEMU migration stream of a guest at READY
//   <cacheDir>/snapshots/<key>.json    its sha256, size, when made and what boot it is
// A state is verified by its sha256 when made and whenever its file is not the one
// last verified (size, mtime, ctime and inode in the meta's `stamp`: a state file is
// written once and never changed, so any change means re-hash); hashing 50–100 MB
// per restore would cost more than the restore itself. Made by one process at a
// time (the cache lock `snapshot-<key>`); the directory is kept under a size limit
// by evicting the least recently used.

import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from '../host/files.js';
import { sha256File } from './cache.js';

export interface SnapshotMeta {
  key: string;
  sha256: string;
  bytes: number;
  createdAt: string;
  /** Human description: arch, kernel release, cmdline, memory… (for `images ls`). */
  describe: string;
  /** Milliseconds the migration to file took. */
  saveMs?: number;
  /** The file as last verified: `size:mtimeMs:ctimeMs:ino`. */
  stamp?: string;
}

const stampOf = (st: { size: number; mtimeMs: number; ctimeMs: number; ino: number }) => `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;

/** Default bound on the snapshots directory; PORTMATRIX_SNAPSHOT_MAX_MB overrides. */
export const DEFAULT_SNAPSHOT_LIMIT_MB = 4096;

export type Lookup = { ok: true; file: string; meta: SnapshotMeta } | { ok: false; why: string };

export class SnapshotStore {
  constructor(
    readonly dir: string,
    private readonly limitBytes = DEFAULT_SNAPSHOT_LIMIT_MB * 1024 * 1024,
  ) {}

  statePath(key: string): string {
    return path.join(this.dir, `${key}.state`);
  }

  /** A temp state path in the snapshots dir (same filesystem as the final rename). */
  async tempPath(key: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    return path.join(this.dir, `.partial-${key}.${randomBytes(4).toString('hex')}`);
  }

  /** The state of `key` if present and intact; why not otherwise ('missing' when never made). */
  async lookup(key: string): Promise<Lookup> {
    const file = this.statePath(key);
    let meta: SnapshotMeta;
    try {
      meta = JSON.parse(await readFile(path.join(this.dir, `${key}.json`), 'utf8')) as SnapshotMeta;
    } catch {
      return { ok: false, why: 'missing' };
    }
    const st = await stat(file).catch(() => undefined);
    if (!st) return { ok: false, why: 'its state file is missing' };
    if (st.size !== meta.bytes) return { ok: false, why: `its state file has ${st.size} bytes, ${meta.bytes} expected` };
    if (meta.stamp !== stampOf(st)) {
      const actual = await sha256File(file);
      if (actual !== meta.sha256)
        return {
          ok: false,
          why: `its state file has sha256 ${actual.slice(0, 12)}, ${meta.sha256.slice(0, 12)} expected`,
        };
      meta.stamp = stampOf(st);
      await this.writeMeta(meta);
    } else {
      // Recently used snapshots survive eviction (atime is unreliable: noatime mounts).
      const now = new Date();
      await utimes(path.join(this.dir, `${key}.json`), now, now).catch(() => {});
    }
    return { ok: true, file, meta };
  }

  /** Publishes a finished temp state as `key`, then evicts old states over the limit. */
  async commit(key: string, tempFile: string, meta: Omit<SnapshotMeta, 'key' | 'sha256' | 'bytes' | 'createdAt'>): Promise<SnapshotMeta> {
    const sha256 = await sha256File(tempFile);
    await rename(tempFile, this.statePath(key));
    const st = await stat(this.statePath(key));
    const full: SnapshotMeta = {
      key,
      sha256,
      bytes: st.size,
      createdAt: new Date().toISOString(),
      ...meta,
      stamp: stampOf(st),
    };
    // The meta last: a state without its meta is "missing", never trusted.
    await this.writeMeta(full);
    await this.evict(key);
    return full;
  }

  private writeMeta(meta: SnapshotMeta): Promise<void> {
    return writeJsonAtomic(path.join(this.dir, `${meta.key}.json`), meta);
  }

  async remove(key: string): Promise<void> {
    await rm(path.join(this.dir, `${key}.json`), { force: true });
    await rm(this.statePath(key), { force: true });
  }

  /** Every snapshot with its meta, most recently used first. */
  async list(): Promise<(SnapshotMeta & { usedMs: number })[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const out: (SnapshotMeta & { usedMs: number })[] = [];
    for (const name of names.filter((n) => /^[0-9a-f]{64}\.json$/.test(n))) {
      const p = path.join(this.dir, name);
      try {
        const meta = JSON.parse(await readFile(p, 'utf8')) as SnapshotMeta;
        out.push({ ...meta, usedMs: (await stat(p)).mtimeMs });
      } catch {
        // half-written by a crashed process: prune removes it with the rest
      }
    }
    return out.sort((a, b) => b.usedMs - a.usedMs);
  }

  /** Removes every snapshot and leftover temp file; returns the bytes freed. */
  async clear(): Promise<{ count: number; bytes: number }> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    let bytes = 0;
    for (const n of names) bytes += (await stat(path.join(this.dir, n)).catch(() => undefined))?.size ?? 0;
    await rm(this.dir, { recursive: true, force: true });
    return { count: names.filter((n) => n.endsWith('.state')).length, bytes };
  }

  /** Least recently used first, until the states fit the limit; `keep` is never evicted. */
  private async evict(keep: string): Promise<void> {
    const all = await this.list();
    let total = all.reduce((n, m) => n + m.bytes, 0);
    for (const m of [...all].reverse()) {
      if (total <= this.limitBytes) break;
      if (m.key === keep) continue;
      await this.remove(m.key);
      total -= m.bytes;
    }
  }
}

/** The store for a cache dir, with the size limit from the environment. */
export function snapshotStore(cacheDir: string, env: NodeJS.ProcessEnv): SnapshotStore {
  const mb = Number(env.PORTMATRIX_SNAPSHOT_MAX_MB);
  return new SnapshotStore(path.join(cacheDir, 'snapshots'), (Number.isFinite(mb) && mb > 0 ? mb : DEFAULT_SNAPSHOT_LIMIT_MB) * 1024 * 1024);
}
