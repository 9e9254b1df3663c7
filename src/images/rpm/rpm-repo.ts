// Reading one yum repository: repodata/repomd.xml → the primary metadata (its
// sha256 checked against repomd) → the wanted packages. Neither file is signed on
// most RPM distributions, so these checks only catch damage; trust comes from each
// package's own signature (rpm-signature.ts). Metadata is never cached: read again
// unless portmatrix.lock pins the exact packages.

import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { InfraError } from '../../errors.js';
import { VerificationError } from '../apt/debian-index.js';
import type { Cache } from '../cache.js';
import type { Fetcher } from '../fetcher.js';
import { requireTool, type ToolEnv } from '../tools.js';
import { primaryScanner, type RpmEntry } from './primary.js';
import { parseRepomd } from './repomd.js';

export interface RepoDeps extends ToolEnv {
  fetcher: Fetcher;
  cache: Cache;
}

/** An entry with the repository root it came from (locations are relative to it). */
export interface RepoEntry extends RpmEntry {
  repo: string;
}

const trim = (url: string) => url.replace(/\/+$/, '');

/** The first repository URL of a mirror.list (Amazon Linux publishes one per release and arch). */
export async function mirrorListRoot(fetcher: Fetcher, url: string): Promise<string> {
  const text = (await fetcher.toBuffer(url)).body.toString('utf8');
  const first = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('#'));
  if (!first) throw new InfraError(`${url} names no repository`);
  return trim(new URL(first, url).href);
}

/** Text chunks of a metadata file, decompressed by its name's suffix. */
async function* metadataText(file: string, name: string, tools: ToolEnv): AsyncGenerator<string> {
  if (name.endsWith('.gz')) return yield* decode(createReadStream(file).pipe(createGunzip()));
  if (name.endsWith('.xml')) return yield* decode(createReadStream(file));
  const tool = name.endsWith('.xz') ? 'xz' : name.endsWith('.zst') ? 'zstd' : undefined;
  if (!tool) throw new InfraError(`${name}: a compression portmatrix does not read (it reads .gz, .xz and .zst)`);
  const child = spawn(requireTool(tool, tools.env), ['-dc', file], {
    env: tools.env,
    signal: tools.signal,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (b) => (err += b));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  yield* decode(child.stdout);
  if ((await closed) !== 0) throw new VerificationError(`${tool} could not decompress ${name}: ${err.trim()}`);
}

async function* decode(stream: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const utf8 = new TextDecoder('utf-8');
  for await (const chunk of stream) yield utf8.decode(chunk, { stream: true });
  yield utf8.decode();
}

/** The packages of the repository at `root` whose names pass `wanted`. */
export async function readRepo(deps: RepoDeps, root: string, wanted: (name: string) => boolean): Promise<RepoEntry[]> {
  const repomdUrl = `${trim(root)}/repodata/repomd.xml`;
  const primary = parseRepomd((await deps.fetcher.toBuffer(repomdUrl)).body.toString('utf8'), repomdUrl);
  const scratch = await deps.cache.scratchDir();
  try {
    const name = path.basename(primary.href);
    const file = path.join(scratch, name);
    const got = await deps.fetcher.toFile(`${trim(root)}/${primary.href}`, file, name);
    if (got.sha256 !== primary.sha256 || (primary.size !== undefined && got.size !== primary.size)) {
      throw new VerificationError(
        `${root}/${primary.href}: sha256 ${got.sha256} (${got.size} bytes) does not match repomd.xml (${primary.sha256}); the mirror is inconsistent or tampered with`,
      );
    }
    const scanner = primaryScanner(wanted);
    for await (const text of metadataText(file, name, deps)) scanner.push(text);
    return scanner.end().map((e) => ({ ...e, repo: trim(root) }));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
