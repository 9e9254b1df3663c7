// A copy of a slice of Debian's mirror, made of REAL files downloaded once into
// ~/.cache/portmatrix-test-mirror, served on 127.0.0.1 by a server that counts
// requests, can serve tampered bytes for chosen paths, answers Range requests, and
// can break chosen requests: reset the connection, or cut the body mid-transfer.

import { execFileSync } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parsePackages } from '../../src/images/apt/deb822.js';
import { chooseKernels, isKernelPackageName } from '../../src/images/apt/debian-select.js';

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
  const text = execFileSync('xz', ['-dc', path.join(MIRROR_DIR, 'dists/bookworm/main/binary-s390x/Packages.xz')], {
    maxBuffer: 1 << 30,
  }).toString();
  const [choice] = chooseKernels(parsePackages(text, isKernelPackageName), 's390x');
  if (!choice) throw new Error('no s390x kernel in the test mirror');
  await download(choice.kernelDeb.filename);
  return { kernelDeb: choice.kernelDeb.filename, release: choice.release };
}

/** `reset`: the connection is dropped before any answer; `truncate`: half the body is sent, then the connection is dropped. */
export type NetFault = 'reset' | 'truncate';

export interface MirrorServer {
  url: string;
  requests: string[];
  /** Serve these bytes instead of the file (path relative to the mirror root). */
  tamper: Map<string, Buffer>;
  /** Per path, the faults its next requests get, one each, in order. */
  faults: Map<string, NetFault[]>;
  /** Faults served so far. */
  faulted: { path: string; fault: NetFault }[];
  close(): Promise<void>;
}

/** `bytes=N-` → N; anything else → 0 (the whole file). */
const rangeStart = (header: string | undefined, size: number) => {
  const m = /^bytes=(\d+)-$/.exec(header ?? '');
  return m && Number(m[1]) < size ? Number(m[1]) : 0;
};

/** Serves `root` (default: the Debian copy, under /debian); `mount` '' serves root's dirs at the top. */
export async function serveMirror(root = MIRROR_DIR, mount = 'debian'): Promise<MirrorServer> {
  const requests: string[] = [];
  const tamper = new Map<string, Buffer>();
  const faults = new Map<string, NetFault[]>();
  const faulted: MirrorServer['faulted'] = [];
  const server: Server = createServer(async (req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(mount ? `/${mount}/` : '/', '');
    requests.push(rel);
    const fault = faults.get(rel)?.shift();
    if (fault) faulted.push({ path: rel, fault });
    if (fault === 'reset') return void req.socket.destroy();
    let body: Buffer;
    try {
      body = tamper.get(rel) ?? (await readFile(path.join(root, path.normalize(rel))));
    } catch {
      return void res.writeHead(404).end();
    }
    const from = rangeStart(req.headers.range, body.length);
    const headers = {
      'content-length': body.length - from,
      ...(from ? { 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` } : {}),
    };
    res.writeHead(from ? 206 : 200, headers);
    if (fault !== 'truncate') return void res.end(body.subarray(from));
    // Half of what was promised, then the connection drops: the client sees a short body.
    res.write(body.subarray(from, from + Math.floor((body.length - from) / 2)), () => setTimeout(() => req.socket.destroy(), 50));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const close = () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r())));
  return { url: `http://127.0.0.1:${port}${mount ? `/${mount}` : ''}`, requests, tamper, faults, faulted, close };
}
