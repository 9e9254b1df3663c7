// Fault: a Debian mirror that resets connections and cuts a .deb mid-transfer. The
// kernel must still arrive (retried, resumed), verified against the signed index,
// identical to a clean download, and nothing corrupt may be left in the cache.

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { sha256File } from '../../src/images/cache.js';
import { createImageStore } from '../../src/images/store.js';
import { ensureMirror, type MirrorServer, serveMirror } from '../../test/images/mirror-server.js';
import { scratchDir } from './project.js';
import { type Row, row } from './row.js';

/** The kernel's sha256 as pulled through the image store into a fresh cache, without a lock. */
async function pull(server: MirrorServer, cacheDir: string): Promise<string> {
  const store = createImageStore({
    env: process.env,
    cacheDir,
    debianMirror: server.url,
    log: (l) => console.log(`  mirror: ${l}`),
  });
  const kernel = await store.kernel('debian:bookworm', 's390x');
  return sha256File(kernel.kernelPath);
}

/** Blobs whose content does not hash to their name. */
async function corruptBlobs(cacheDir: string): Promise<string[]> {
  const dir = path.join(cacheDir, 'blobs', 'sha256');
  const bad: string[] = [];
  for (const name of await readdir(dir).catch(() => [])) {
    if (name.startsWith('.partial-')) continue; // a resumable download, not a cache entry
    if ((await sha256File(path.join(dir, name))) !== name) bad.push(`blob ${name.slice(0, 12)} does not hash to its name`);
  }
  return bad;
}

export async function badMirror(): Promise<Row> {
  const r = row('mirror resets and truncates');
  const { kernelDeb } = await ensureMirror();
  const server = await serveMirror();
  const tmp = await scratchDir();
  try {
    const cleanSha = await pull(server, path.join(tmp, 'clean'));
    server.faults.set('dists/bookworm/InRelease', ['reset', 'truncate']);
    server.faults.set('dists/bookworm/main/binary-s390x/Packages.xz', ['truncate']);
    server.faults.set(kernelDeb, ['truncate', 'reset', 'truncate']);
    const cacheDir = path.join(tmp, 'faulty');
    const sha = await pull(server, cacheDir).catch((e: Error) => {
      r.lost.push(`debian:bookworm s390x kernel: ${e.message}`);
      return undefined;
    });
    r.injected = server.faulted.length;
    if (sha && sha !== cleanSha) r.wrong.push(`kernel sha256 ${sha} differs from the clean pull's ${cleanSha}`);
    r.wrong.push(...(await corruptBlobs(cacheDir)));
    const unused = [...server.faults].filter(([, left]) => left.length > 0);
    if (unused.length) r.wrong.push(`faults never requested: ${JSON.stringify(unused)}`);
  } finally {
    await server.close();
  }
  return r;
}
