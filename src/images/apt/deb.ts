// Downloading one .deb by pool path (verified by Size and SHA256 from the signed
// index or the lock) and extracting only the members needed from it.

import { rm } from 'node:fs/promises';
import path from 'node:path';
import { InfraError } from '../../errors.js';
import type { Cache } from '../cache.js';
import type { Fetcher } from '../fetcher.js';
import { requireTool, runPipe, runTool, type ToolEnv } from '../tools.js';
import type { DebRef } from './deb822.js';
import { VerificationError } from './debian-index.js';

/** Downloads a .deb into a temp file and verifies it; the caller deletes it. */
export async function downloadDeb(fetcher: Fetcher, cache: Cache, mirror: string, ref: DebRef): Promise<string> {
  const tmp = await cache.tempBlobPath(`${ref.sha256}.deb`);
  const got = await fetcher.toFile(`${mirror.replace(/\/+$/, '')}/${ref.filename}`, tmp, path.basename(ref.filename));
  if (got.sha256 !== ref.sha256 || got.size !== ref.size) {
    await rm(tmp, { force: true });
    throw new VerificationError(
      `${path.basename(ref.filename)}: sha256 ${got.sha256} (${got.size} bytes) does not match the expected ${ref.sha256} (${ref.size} bytes); refusing to use it`,
    );
  }
  return tmp;
}

export interface DebMember {
  /** Path inside the package, without the leading `./`. */
  path: string;
  size: number;
  type: 'file' | 'link' | 'dir' | 'other';
}

/** `dpkg-deb -c` lines: `-rw-r--r-- root/root 8214432 2024-01-01 00:00 ./boot/vmlinuz-6.1.0-50-amd64`. */
export function parseDebListing(text: string): DebMember[] {
  const out: DebMember[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S)\S*\s+\S+\s+(\d+)\s+\S+\s+\S+\s+\.\/(.*?)(?: -> .*)?$/.exec(line);
    if (!m) continue;
    const type = m[1] === '-' ? 'file' : m[1] === 'l' ? 'link' : m[1] === 'd' ? 'dir' : 'other';
    out.push({ path: m[3]!.replace(/\/$/, ''), size: Number(m[2]), type });
  }
  return out;
}

export async function listDeb(deb: string, tools: ToolEnv): Promise<DebMember[]> {
  const res = await runTool(requireTool('dpkg-deb', tools.env), ['-c', deb], tools);
  if (res.code !== 0) throw new InfraError(`dpkg-deb -c ${path.basename(deb)} failed: ${res.stderr.trim()}`);
  return parseDebListing(res.stdout.toString('utf8'));
}

/** `dpkg-deb --fsys-tarfile deb | tar -x -C dir members...`, both exit codes checked. */
export async function extractDeb(deb: string, dir: string, members: string[] | 'all', tools: ToolEnv): Promise<void> {
  const dpkgDeb = requireTool('dpkg-deb', tools.env);
  const tar = requireTool('tar', tools.env);
  const names = members === 'all' ? [] : members.map((m) => `./${m}`);
  const what = `extracting ${path.basename(deb)}`;
  await runPipe([dpkgDeb, ['--fsys-tarfile', deb]], [tar, ['-x', '-C', dir, '-f', '-', ...names]], what, tools);
}
