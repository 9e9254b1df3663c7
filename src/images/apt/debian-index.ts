// The signed Debian archive index: InRelease verified with gpgv against Debian's
// archive keyring, then Packages.xz (or .gz) checked against the signed SHA256 list.
// Indexes are never trusted from the cache: they are fetched again unless the
// lock pins the exact .debs (then no index is needed at all).

import { access, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Arch } from '../../core/arch.js';
import { InfraError, MissingToolError } from '../../errors.js';
import { which } from '../../host/which.js';
import type { Cache } from '../cache.js';
import type { Fetcher } from '../fetcher.js';
import { requireTool, runTool, type ToolEnv } from '../tools.js';
import { type IndexFile, parsePackages, parseReleaseSha256, type Stanza } from './deb822.js';

export const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

/** An index failed verification: never cached, never used. */
export class VerificationError extends InfraError {}

export interface DebianIndexDeps {
  mirror: string;
  fetcher: Fetcher;
  cache: Cache;
  keyring?: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Returns the signed text of InRelease, or throws VerificationError. */
export async function verifyInRelease(signed: Buffer, keyring: string, tools: ToolEnv): Promise<string> {
  const gpgv = requireTool('gpgv', tools.env);
  try {
    await access(keyring);
  } catch {
    throw new MissingToolError(keyring, 'debian-archive-keyring');
  }
  // --output - prints only the data the signature covers: parse that, not the input.
  const res = await runTool(gpgv, ['--keyring', keyring, '--output', '-', '-'], { ...tools, input: signed });
  if (res.code !== 0) {
    const why = res.stderr
      .split('\n')
      .filter((l) => /BAD|no signature|Can't check|not found|error/i.test(l))
      .join('; ');
    throw new VerificationError(`InRelease signature check failed (gpgv, keyring ${keyring}): ${why || res.stderr.trim()}`);
  }
  return res.stdout.toString('utf8');
}

async function decompress(file: string, kind: 'xz' | 'gz', tools: ToolEnv): Promise<string> {
  if (kind === 'gz') return gunzipSync(await readFile(file)).toString('utf8');
  const res = await runTool(requireTool('xz', tools.env), ['-dc', file], tools);
  if (res.code !== 0) throw new VerificationError(`xz could not decompress ${path.basename(file)}: ${res.stderr.trim()}`);
  return res.stdout.toString('utf8');
}

/** The SHA256 list of a suite's InRelease, after its signature checked out. */
export async function signedRelease(deps: DebianIndexDeps, suite: string): Promise<Map<string, IndexFile>> {
  const base = `${deps.mirror.replace(/\/+$/, '')}/dists/${suite}`;
  let inRelease: Buffer;
  try {
    inRelease = (await deps.fetcher.toBuffer(`${base}/InRelease`)).body;
  } catch (error) {
    throw new InfraError(`cannot fetch ${base}/InRelease: ${(error as Error).message}`, { cause: error });
  }
  return parseReleaseSha256(await verifyInRelease(inRelease, deps.keyring ?? DEBIAN_KEYRING, deps));
}

/** Downloads `dists/<suite>/<rel>` into `file` and checks it against the signed list. */
export async function fetchSignedFile(deps: DebianIndexDeps, suite: string, rel: string, want: IndexFile, file: string): Promise<void> {
  const url = `${deps.mirror.replace(/\/+$/, '')}/dists/${suite}/${rel}`;
  const got = await deps.fetcher.toFile(url, file, `${suite}/${rel}`);
  if (got.sha256 !== want.sha256 || got.size !== want.size) {
    await rm(file, { force: true });
    throw new VerificationError(
      `${suite}/${rel}: sha256 ${got.sha256} (${got.size} bytes) does not match the signed InRelease (${want.sha256}, ${want.size} bytes); the mirror is inconsistent or tampered with`,
    );
  }
}

/** Stanzas of `dists/<suite>/main/binary-<arch>/Packages` whose name passes `keep`. */
export async function fetchPackages(deps: DebianIndexDeps, suite: string, arch: Arch, keep: (name: string) => boolean): Promise<Stanza[]> {
  const release = await signedRelease(deps, suite);
  // Prefer .xz (smallest) when xz is installed; .gz needs nothing beyond Node.
  const kinds: ('xz' | 'gz')[] = which('xz', deps.env) ? ['xz', 'gz'] : ['gz', 'xz'];
  const kind = kinds.find((k) => release.has(`main/binary-${arch}/Packages.${k}`));
  if (!kind) return []; // the suite has no such architecture
  const rel = `main/binary-${arch}/Packages.${kind}`;
  const scratch = await deps.cache.scratchDir();
  try {
    const file = path.join(scratch, `Packages.${kind}`);
    await fetchSignedFile(deps, suite, rel, release.get(rel)!, file);
    return parsePackages(await decompress(file, kind, deps), keep);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
