// The files every cell of one boot shares (libc, packages, the loader or the tests'
// programs and files), and the snapshot that holds them unpacked. A restored
// base guest would otherwise take tens of MB over the inputs port for every cell
// (the example's 27 MB took 1–2 s of each cell under TCG); staged once into a
// second snapshot (docs/snapshots.md), each cell receives only its own script and
// BTF. Built once per run for each distinct set of files and kept in memory.

import { createHash } from 'node:crypto';
import type { CpioEntry } from '../guest/cpio.js';
import { stagedStream } from '../guest/inputs.js';

export interface SharedFiles {
  entries: CpioEntry[];
  /** The staged stream (PMST1 and its archive) and its sha256, made on first use. */
  staged(): Promise<{ stream: Buffer; sha256: string }>;
}

export type SharedFilesCache = (key: string, build: () => Promise<CpioEntry[]>) => Promise<SharedFiles>;

function sharedFiles(entries: CpioEntry[]): SharedFiles {
  let staged: Promise<{ stream: Buffer; sha256: string }> | undefined;
  return {
    entries,
    staged: () =>
      (staged ??= Promise.resolve().then(() => {
        const stream = stagedStream(entries);
        return { stream, sha256: createHash('sha256').update(stream).digest('hex') };
      })),
  };
}

/** One run's cache: `key` names the files (arch, libc, packages, paths); contents do not change within a run. */
export function sharedFilesCache(): SharedFilesCache {
  const made = new Map<string, Promise<SharedFiles>>();
  return (key, build) => {
    let found = made.get(key);
    if (!found) {
      found = build().then(sharedFiles);
      made.set(key, found);
      found.catch(() => made.delete(key));
    }
    return found;
  };
}

/** The key of the snapshot that holds `filesSha256` staged on top of the boot `bootKey`. */
export function stagedKey(bootKey: string, filesSha256: string): string {
  return createHash('sha256').update(`staged:1:${bootKey}:${filesSha256}`).digest('hex');
}
