// The base initramfs as a cached file: built once per (arch, busybox, modules,
// pmcap, pmcell, /init) and stored as a content-addressed blob, so that its path and hash
// are stable inputs of the snapshot's boot key. A small record under
// <cache>/base/ maps those inputs to the blob, so a new process does not gzip
// busybox and pmcap again (a few hundred ms on a loaded TCG host).

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Arch } from '../core/arch.js';
import { memoize } from '../core/memo.js';
import type { Cache } from '../images/cache.js';
import type { KernelModule } from '../images/types.js';
import { baseInit } from './base-init.js';
import { buildBaseInitramfs } from './initramfs.js';

export interface BaseImage {
  path: string;
  sha256: string;
}

export type BaseImageDeps = Pick<Cache, 'putBytes' | 'blobPath' | 'verifiedBlob' | 'readJson' | 'writeJson'>;

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The helpers the base holds (scripts/build-guest-tools): host paths. */
export interface GuestTools {
  /** pmcap: capabilities; absent when not built (only configs with capabilities need it). */
  capHelper?: string;
  /** pmcell: the inputs' unpacking and every test's run. */
  cellHelper: string;
}

async function build(deps: BaseImageDeps, arch: Arch, busybox: string, modules: KernelModule[], tools: GuestTools): Promise<BaseImage> {
  const init = baseInit({ modules: modules.map((m) => m.name) });
  // busybox and the modules are cache blobs (their paths name their hashes); the helpers are not.
  const [cap, cell] = await Promise.all([tools.capHelper, tools.cellHelper].map((f) => (f ? readFile(f) : undefined)));
  const helpers = [cap, cell].map((b) => (b ? sha256(b) : ''));
  const record = `base/${sha256(JSON.stringify([arch, busybox, modules.map((m) => [m.name, m.path]).sort(), ...helpers, init]))}.json`;
  const known = await deps.readJson<{ sha256: string }>(record);
  const hit = known && (await deps.verifiedBlob(known.sha256));
  if (known && hit) return { path: hit, sha256: known.sha256 };
  const hex = await deps.putBytes(await buildBaseInitramfs({ arch, busybox, init, modules, ...tools }));
  await deps.writeJson(record, { sha256: hex });
  return { path: deps.blobPath(hex), sha256: hex };
}

const once = memoize(build, {
  keyOf: (_deps, arch, busybox, modules, tools) => JSON.stringify([arch, busybox, modules.map((m) => m.path).sort(), tools.capHelper, tools.cellHelper]),
  retryFailures: true,
});

export function baseImage(deps: BaseImageDeps, arch: Arch, busybox: string, modules: KernelModule[], tools: GuestTools): Promise<BaseImage> {
  return once(deps, arch, busybox, modules, tools);
}
