// A user's session against a local copy of Debian's mirror (real signed files):
// pull, pull again offline, and refuse every kind of tampering without caching it.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageStore } from '../../src/images/store.js';
import { ensureMirror, MIRROR_DIR, type MirrorServer, serveMirror } from './mirror-server.js';

let server: MirrorServer;
let kernelDeb: string;
let release: string;
let tmp: string;

beforeAll(async () => {
  ({ kernelDeb, release } = await ensureMirror());
  server = await serveMirror();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'pm-mirror-'));
}, 600_000);
afterAll(async () => {
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

function store(name: string, extra: { lock?: boolean } = { lock: true }) {
  const lines: string[] = [];
  const s = createImageStore({
    env: process.env,
    cacheDir: path.join(tmp, name, 'cache'),
    debianMirror: server.url,
    lockFile: extra.lock ? path.join(tmp, name, 'portmatrix.lock') : undefined,
    log: (l) => lines.push(l),
  });
  return { s, lines };
}

/** Every file under the cache's blobs/, debs/ and trees/ dirs. */
async function cachedFiles(name: string): Promise<string[]> {
  const root = path.join(tmp, name, 'cache');
  const out: string[] = [];
  for (const sub of ['blobs/sha256', 'debs', 'trees']) out.push(...(await readdir(path.join(root, sub)).catch(() => [])).map((f) => `${sub}/${f}`));
  return out;
}

describe('debian: kernels from a local mirror', () => {
  it('first pull verifies and caches; a second pull makes zero requests', async () => {
    server.requests.length = 0;
    const { s, lines } = store('ok');
    const k = await s.kernel('debian:bookworm', 's390x');
    expect(k.release).toBe(release);
    expect(k.downloaded).toBe(true);
    expect(k.facts.btf).toBe(false); // bookworm s390x: the real no-BTF case
    expect(k.facts.bpfJit).toBe(false);
    expect(server.requests).toEqual(['dists/bookworm/InRelease', 'dists/bookworm/main/binary-s390x/Packages.xz', kernelDeb]);
    expect(lines.some((l) => /^fetched linux-image-.*\.deb [\d.]+ MiB in [\d.]+ s$/.test(l))).toBe(true);
    const lock = JSON.parse(await readFile(path.join(tmp, 'ok', 'portmatrix.lock'), 'utf8'));
    expect(lock.kernels['debian:bookworm s390x']).toMatchObject({
      release,
      kernelSha256: k.sha256,
      debs: [{ filename: kernelDeb }],
    });

    server.requests.length = 0;
    const again = store('ok').s;
    const k2 = await again.kernel('debian:bookworm', 's390x');
    expect(server.requests).toEqual([]);
    expect(again.requests()).toBe(0);
    expect(k2.sha256).toBe(k.sha256);
    expect(k2.downloaded).toBe(false);
    expect(k2.kernelPath).toBe(k.kernelPath);
  }, 300_000);

  it('a corrupt cache entry is detected, deleted, fetched again by its locked pool path and logged', async () => {
    const { s: first } = store('ok');
    const k = await first.kernel('debian:bookworm', 's390x');
    await writeFile(k.kernelPath, 'garbage');
    server.requests.length = 0;
    const { s, lines } = store('ok');
    const k2 = await s.kernel('debian:bookworm', 's390x');
    expect(k2.sha256).toBe(k.sha256);
    expect(server.requests).toEqual([kernelDeb]); // pinned by the lock: no index fetched
    expect(lines.some((l) => /corrupt/.test(l))).toBe(true);
    expect((await readFile(k2.kernelPath)).length).toBeGreaterThan(1_000_000);
  }, 300_000);

  it('rejects a tampered .deb and caches nothing', async () => {
    const real = await readFile(path.join(MIRROR_DIR, kernelDeb));
    const bad = Buffer.from(real);
    bad.writeUInt8(bad[bad.length - 100]! ^ 0xff, bad.length - 100);
    server.tamper.set(kernelDeb, bad);
    try {
      await expect(store('deb').s.kernel('debian:bookworm', 's390x')).rejects.toThrow(/sha256 [0-9a-f]{64} .*does not match the expected/);
      expect(await cachedFiles('deb')).toEqual([]);
    } finally {
      server.tamper.clear();
    }
  }, 120_000);

  it('rejects a tampered Packages index and caches nothing', async () => {
    const rel = 'dists/bookworm/main/binary-s390x/Packages.xz';
    const real = await readFile(path.join(MIRROR_DIR, rel));
    const bad = Buffer.from(real);
    bad.writeUInt8(bad[1000]! ^ 0x01, 1000);
    server.tamper.set(rel, bad);
    try {
      await expect(store('pkgs').s.kernel('debian:bookworm', 's390x')).rejects.toThrow(/does not match the signed InRelease/);
      expect(await cachedFiles('pkgs')).toEqual([]);
    } finally {
      server.tamper.clear();
    }
  }, 120_000);

  it('rejects an InRelease whose signature does not verify, and caches nothing', async () => {
    const rel = 'dists/bookworm/InRelease';
    const text = await readFile(path.join(MIRROR_DIR, rel), 'utf8');
    // Point Packages.xz at another hash, as an attacker would: the signature no longer matches.
    server.tamper.set(
      rel,
      Buffer.from(text.replace(/^( [0-9a-f]{64})(\s+\d+ main\/binary-s390x\/Packages\.xz)$/m, (_, _h: string, rest: string) => ` ${'0'.repeat(64)}${rest}`)),
    );
    expect(server.tamper.get(rel)!.toString()).not.toBe(text);
    try {
      await expect(store('sig').s.kernel('debian:bookworm', 's390x')).rejects.toThrow(/InRelease signature check failed.*BAD signature/);
      expect(server.requests.at(-1)).toBe(rel); // nothing fetched after the bad InRelease
      expect(await cachedFiles('sig')).toEqual([]);
    } finally {
      server.tamper.clear();
    }
  }, 120_000);

  it('a suite without the arch is not available (no kernel): NotAvailableError', async () => {
    const { s } = store('na', { lock: false });
    await expect(s.kernel('debian:bookworm/rt', 's390x')).rejects.toMatchObject({ name: 'NotAvailableError' });
  }, 120_000);
});
