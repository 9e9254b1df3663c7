// Finished cell results kept in the cache for `run --reuse`: a cell whose inputs
// hash (kernel, loader and files, config, libc, busybox, portmatrix version) equals
// the hash of a stored result that was as expected (pass, expected failure) is not
// run again; its stored result comes back marked `reused`.
//
//   <cache>/results/<sha256 of cell id and inputs hash>.json   { result, files: { <relative path>: base64 } }
//
// The files are what the result points at inside a results directory (its console
// log, its minimal BTF), so a reused cell's links and files are there in the new
// directory too. Entries are
// written atomically; the directory is bounded like the snapshots (oldest dropped).

import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../host/files.js';
import type { CellResult } from './model.js';

/** Results worth reusing: the run would have ended the same way for them. */
export function reusable(result: CellResult): boolean {
  return (result.status === 'pass' || result.status === 'xfail') && !!result.inputsHash && !result.runs;
}

interface Entry {
  result: CellResult;
  files: Record<string, string>;
}

const MAX_ENTRIES = 20000;

export interface ReuseStore {
  /**
   * The stored result of cell `id` for this inputs hash, its files written under
   * `resultsDir`; undefined when none (a cell of another id never matches: its files
   * would land on another cell's paths).
   */
  take(hash: string, id: string, resultsDir: string): Promise<CellResult | undefined>;
  /** Keeps a finished result (when reusable) with the files it points at under `resultsDir`. */
  keep(result: CellResult, resultsDir: string): Promise<void>;
}

export function reuseStore(cacheDir: string, maxEntries = MAX_ENTRIES): ReuseStore {
  const dir = path.join(cacheDir, 'results');
  // One entry per cell id and hash: two cells may share inputs, never files.
  const file = (hash: string, id: string) => path.join(dir, `${createHash('sha256').update(`${id}\0${hash}`).digest('hex')}.json`);
  return {
    async take(hash, id, resultsDir) {
      if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
      let entry: Entry;
      try {
        entry = JSON.parse(await readFile(file(hash, id), 'utf8')) as Entry;
      } catch {
        return undefined;
      }
      if (entry.result?.inputsHash !== hash || entry.result.id !== id || !reusable(entry.result)) return undefined;
      for (const [rel, b64] of Object.entries(entry.files ?? {})) {
        const target = path.resolve(resultsDir, rel);
        // Only the paths a result may point at: inside the results directory.
        if (!target.startsWith(path.resolve(resultsDir) + path.sep)) return undefined;
        await mkdir(path.dirname(target), { recursive: true });
        await writeFileAtomic(target, Buffer.from(b64, 'base64'));
      }
      const now = new Date();
      await utimes(file(hash, id), now, now).catch(() => {});
      return entry.result;
    },
    async keep(result, resultsDir) {
      if (!reusable(result)) return;
      const files: Record<string, string> = {};
      for (const rel of pointedAt(result)) {
        const bytes = await readFile(path.join(resultsDir, rel)).catch(() => undefined);
        if (bytes) files[rel] = bytes.toString('base64');
      }
      await mkdir(dir, { recursive: true });
      await writeFileAtomic(file(result.inputsHash!, result.id), JSON.stringify({ result, files } satisfies Entry));
      await bound(dir, maxEntries);
    },
  };
}

/** The files inside a results directory that a result points at: its console log, its minimal BTF. */
function pointedAt(result: CellResult): string[] {
  const inside = (rel: string | undefined) => rel !== undefined && !path.isAbsolute(rel) && !rel.split(/[\\/]/).includes('..');
  return [result.consoleLog, result.btf?.file].filter(inside) as string[];
}

/** Drops the least recently used entries beyond `max`. */
async function bound(dir: string, max: number): Promise<void> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  if (names.length <= max) return;
  const aged = await Promise.all(names.map(async (n) => ({ n, t: (await stat(path.join(dir, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
  aged.sort((a, b) => a.t - b.t);
  await Promise.all(aged.slice(0, names.length - max).map((a) => rm(path.join(dir, a.n), { force: true })));
}
