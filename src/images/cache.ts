// The one content-addressed cache: blobs/sha256/<hex> (verified by hash on every
// read; a corrupt entry is deleted and reported), trees/<deb sha256>/ (unpacked
// packages with a manifest of file hashes), and per-entry locks so two portmatrix
// processes can share it.
//
//   <cacheDir>/blobs/sha256/<hex>      kernel images, configs, busybox, OCI blobs
//   <cacheDir>/debs/<deb sha256>.json  which blobs a verified .deb unpacked into
//   <cacheDir>/trees/<deb sha256>/     unpacked trees (libc6)
//   <cacheDir>/locks/<key>.lock        O_EXCL entry locks (pid, host, time)
//   <cacheDir>/tmp/                    partial downloads (resumed), scratch dirs

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeJsonAtomic } from '../host/files.js';

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export const sha256Buffer = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Locks older than this whose owner cannot be checked are considered stale. */
const STALE_LOCK_MS = 15 * 60 * 1000;

export class Cache {
  constructor(
    readonly dir: string,
    private readonly log: (line: string) => void = () => {},
  ) {}

  blobPath(hex: string): string {
    return path.join(this.dir, 'blobs', 'sha256', hex);
  }

  /** A temp path in the blobs dir, so the final rename stays on one filesystem. */
  async tempBlobPath(name: string): Promise<string> {
    const dir = path.join(this.dir, 'blobs', 'sha256');
    await mkdir(dir, { recursive: true });
    return path.join(dir, `.partial-${name.replace(/[^A-Za-z0-9._+-]/g, '_')}`);
  }

  /** The blob path if present and intact; a corrupt blob is deleted and logged. */
  async verifiedBlob(hex: string): Promise<string | undefined> {
    const p = this.blobPath(hex);
    try {
      await stat(p);
    } catch {
      return undefined;
    }
    const actual = await sha256File(p);
    if (actual === hex) return p;
    this.log(`cache entry ${hex.slice(0, 12)} is corrupt (hash ${actual.slice(0, 12)}); deleted, fetching again`);
    await rm(p, { force: true });
    return undefined;
  }

  /** Publishes a finished temp file as the blob `hex` (already verified by the caller). */
  async commitBlob(tempFile: string, hex: string): Promise<string> {
    const fh = await open(tempFile, 'r');
    await fh.sync();
    await fh.close();
    await rename(tempFile, this.blobPath(hex));
    return this.blobPath(hex);
  }

  /** Stores bytes as a blob; returns its hash. */
  async putBytes(bytes: Buffer): Promise<string> {
    const hex = sha256Buffer(bytes);
    if (await this.verifiedBlob(hex)) return hex;
    const tmp = await this.tempBlobPath(`${hex}.${randomBytes(4).toString('hex')}`);
    await writeFile(tmp, bytes);
    await this.commitBlob(tmp, hex);
    return hex;
  }

  /** Moves a local file into the store; returns its hash. */
  async putFile(file: string): Promise<string> {
    const hex = await sha256File(file);
    if (await this.verifiedBlob(hex)) return hex;
    const tmp = await this.tempBlobPath(`${hex}.${randomBytes(4).toString('hex')}`);
    await rename(file, tmp).catch(async () => writeFile(tmp, await readFile(file)));
    await this.commitBlob(tmp, hex);
    return hex;
  }

  async readJson<T>(rel: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(path.join(this.dir, rel), 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  writeJson(rel: string, value: unknown): Promise<void> {
    return writeJsonAtomic(path.join(this.dir, rel), value);
  }

  treePath(debHex: string): string {
    return path.join(this.dir, 'trees', debHex);
  }

  async scratchDir(): Promise<string> {
    const dir = path.join(this.dir, 'tmp');
    await mkdir(dir, { recursive: true });
    return mkdtemp(path.join(dir, 'x-'));
  }

  /** Runs `fn` holding the entry lock `key` (exclusive across processes). */
  async withLock<T>(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const dir = path.join(this.dir, 'locks');
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);
    let waitedLogged = false;
    for (;;) {
      signal?.throwIfAborted();
      try {
        const fh = await open(file, 'wx'); // O_CREAT|O_EXCL: only one process wins
        await fh.writeFile(JSON.stringify({ pid: process.pid, host: os.hostname(), at: Date.now() }));
        await fh.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (await isStale(file)) {
          this.log(`removing stale cache lock ${path.basename(file)}`);
          await unlink(file).catch(() => {});
          continue;
        }
        if (!waitedLogged) this.log(`waiting for ${await lockHolder(file)} (${path.basename(file)})`);
        waitedLogged = true;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    try {
      return await fn();
    } finally {
      await unlink(file).catch(() => {});
    }
  }
}

/** Stale when its owner is a dead process on this host, or it is old and unreadable. */
/** Who holds a lock, for the waiting line: this process (another of its cells) or another one. */
async function lockHolder(file: string): Promise<string> {
  try {
    const info = JSON.parse(await readFile(file, 'utf8')) as { pid: number; host: string };
    if (info.pid === process.pid && info.host === os.hostname()) return 'another cell of this run';
    return `portmatrix process ${info.pid} on ${info.host}`;
  } catch {
    return 'another portmatrix process';
  }
}

async function isStale(file: string): Promise<boolean> {
  try {
    const info = JSON.parse(await readFile(file, 'utf8')) as { pid: number; host: string; at: number };
    if (info.host === os.hostname()) {
      try {
        process.kill(info.pid, 0);
        return false;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'ESRCH';
      }
    }
    return Date.now() - info.at > STALE_LOCK_MS;
  } catch {
    // Being written right now, or garbage: stale only if old.
    try {
      return Date.now() - (await stat(file)).mtimeMs > 5000;
    } catch {
      return false;
    }
  }
}
