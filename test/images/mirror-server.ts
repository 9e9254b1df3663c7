// A copy of a slice of Debian's mirror, made of REAL files downloaded once into
// ~/.cache/portmatrix-test-mirror, served on 127.0.0.1 by a server that counts
// requests and can serve tampered bytes for chosen paths.

import { createServer, type Server } from 'node:http';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parsePackages } from '../../src/images/deb822.js';
import { chooseKernels, isKernelPackageName } from '../../src/images/debian-select.js';

export const MIRROR_DIR = path.join(os.homedir(), '.cache', 'portmatrix-test-mirror', 'debian');
const UPSTREAM = 'http://deb.debian.org/debian';

async function download(rel: string): Promise<void> {
  const dest = path.join(MIRROR_DIR, rel);
  try {
    if ((await stat(dest)).size > 0) return;
  } catch {
    // not there yet
  }
  const res = await fetch(`${UPSTREAM}/${rel}`);
  if (!res.ok) throw new Error(`test mirror setup: ${UPSTREAM}/${rel}: HTTP ${res.status}`);
  await mkdir(path.dirname(dest), { recursive: true });
  await writeFile(dest, Buffer.from(await res.arrayBuffer()));
}

/**
 * bookworm's InRelease + binary-s390x/Packages.xz (the smallest Packages.xz of the
 * three arches: 8.1 MiB vs 8.4 amd64 / 8.3 arm64) + the newest s390x kernel .deb.
 * InRelease and Packages.xz are fetched together once and kept together, so they match.
 */
export async function ensureMirror(): Promise<{ kernelDeb: string; release: string }> {
  await download('dists/bookworm/InRelease');
  await download('dists/bookworm/main/binary-s390x/Packages.xz');
  const text = execFileSync('xz', ['-dc', path.join(MIRROR_DIR, 'dists/bookworm/main/binary-s390x/Packages.xz')], { maxBuffer: 1 << 30 }).toString();
  const [choice] = chooseKernels(parsePackages(text, isKernelPackageName), 's390x');
  if (!choice) throw new Error('no s390x kernel in the test mirror');
  await download(choice.kernelDeb.filename);
  return { kernelDeb: choice.kernelDeb.filename, release: choice.release };
}

export interface MirrorServer {
  url: string;
  requests: string[];
  /** Serve these bytes instead of the file (path relative to the mirror root). */
  tamper: Map<string, Buffer>;
  close(): Promise<void>;
}

export async function serveMirror(): Promise<MirrorServer> {
  const requests: string[] = [];
  const tamper = new Map<string, Buffer>();
  const server: Server = createServer(async (req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/debian\//, '');
    requests.push(rel);
    try {
      const body = tamper.get(rel) ?? (await readFile(path.join(MIRROR_DIR, path.normalize(rel))));
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/debian`, requests, tamper, close: () => new Promise((r) => server.close(() => r())) };
}
