// One RPM downloaded and verified before anything reads it: size and sha256 as
// primary.xml (or the lock) lists them, then the package's own signature against
// the distribution's key. A file that fails either is deleted, never cached.

import { rm } from 'node:fs/promises';
import path from 'node:path';
import { VerificationError } from '../apt/debian-index.js';
import type { Cache } from '../cache.js';
import type { Fetcher } from '../fetcher.js';
import type { ToolEnv } from '../tools.js';
import { checkRpmSignature } from './rpm-signature.js';

/** An RPM as the lock records it: `filename` is relative to the source's mirror, or a whole URL. */
export interface RpmRef {
  package: string;
  /** `[epoch:]version-release.arch`. */
  version: string;
  filename: string;
  sha256: string;
  size: number;
}

export interface RpmDownloadDeps extends ToolEnv {
  fetcher: Fetcher;
  cache: Cache;
  /** The armored key files the package must be signed with (asked for only when something is downloaded). */
  keys: () => Promise<string[]>;
}

/** `filename` resolved against the mirror (a whole URL stays as it is). */
export const rpmUrl = (mirror: string, filename: string) => (/^[a-z]+:\/\//.test(filename) ? filename : `${mirror.replace(/\/+$/, '')}/${filename}`);

/** Downloads and verifies `ref` into a temp file; the caller deletes it. */
export async function downloadRpm(deps: RpmDownloadDeps, mirror: string, ref: RpmRef): Promise<string> {
  const name = path.basename(ref.filename);
  const tmp = await deps.cache.tempBlobPath(`${ref.sha256}.rpm`);
  try {
    const got = await deps.fetcher.toFile(rpmUrl(mirror, ref.filename), tmp, name);
    if (got.sha256 !== ref.sha256 || got.size !== ref.size) {
      throw new VerificationError(
        `${name}: sha256 ${got.sha256} (${got.size} bytes) does not match the expected ${ref.sha256} (${ref.size} bytes); refusing it`,
      );
    }
    await checkRpmSignature(tmp, name, await deps.keys(), deps);
    return tmp;
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
