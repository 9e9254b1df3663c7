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
  /** What the pmcell inside this image does beyond taking a cell's inputs. */
  pmcell: PmcellModes;
}

/**
 * The modes of a pmcell build (vm-images/pmcell), found by the text each carries in
 * its binary: a pmcell built before a mode would take its arguments or header for
 * something else (for `run`, a boot: it would wait forever).
 */
export interface PmcellModes {
  /** Takes `PMST1` staged files before the cell's header. */
  staged: boolean;
  /** `pmcell btf FILE`: a BTF file at /sys/kernel/btf/vmlinux. */
  btf: boolean;
  /** `pmcell follow PID FD NAME FILE…`: a program's output streamed while it runs, woken by SIGUSR1. */
  follow: boolean;
  /** `pmcell run I …`: one suite test, its end frame and its blocks in one process. */
  run: boolean;
}

export const NO_PMCELL: PmcellModes = { staged: false, btf: false, follow: false, run: false };

export function pmcellModes(pmcell: Buffer | undefined): PmcellModes {
  if (!pmcell) return NO_PMCELL;
  return { staged: pmcell.includes('PMST1'), btf: pmcell.includes('pmcell-btf-1'), follow: pmcell.includes('pmcell-follow-2'), run: pmcell.includes('pmcell-run-1') };
}

export type BaseImageDeps = Pick<Cache, 'putBytes' | 'blobPath' | 'verifiedBlob' | 'readJson' | 'writeJson'>;

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The helpers the base holds when they are built (scripts/build-guest-tools): host paths. */
export interface GuestTools {
  /** pmcap: capabilities. */
  capHelper?: string;
  /** pmcell: reseed, clock and unpacking of the inputs. */
  cellHelper?: string;
}

async function build(deps: BaseImageDeps, arch: Arch, busybox: string, modules: KernelModule[], tools: GuestTools): Promise<BaseImage> {
  const init = baseInit({ modules: modules.map((m) => m.name) });
  // busybox and the modules are cache blobs (their paths name their hashes); the helpers are not.
  const [cap, cell] = await Promise.all([tools.capHelper, tools.cellHelper].map((f) => (f ? readFile(f) : undefined)));
  const helpers = [cap, cell].map((b) => (b ? sha256(b) : ''));
  const pmcell = pmcellModes(cell);
  const record = `base/${sha256(JSON.stringify([arch, busybox, modules.map((m) => [m.name, m.path]).sort(), ...helpers, init]))}.json`;
  const known = await deps.readJson<{ sha256: string }>(record);
  const hit = known && (await deps.verifiedBlob(known.sha256));
  if (known && hit) return { path: hit, sha256: known.sha256, pmcell };
  const hex = await deps.putBytes(await buildBaseInitramfs({ arch, busybox, init, modules, ...tools }));
  await deps.writeJson(record, { sha256: hex });
  return { path: deps.blobPath(hex), sha256: hex, pmcell };
}

const once = memoize(build, { keyOf: (_deps, arch, busybox, modules, tools) => JSON.stringify([arch, busybox, modules.map((m) => m.path).sort(), tools.capHelper, tools.cellHelper]), retryFailures: true });

export function baseImage(deps: BaseImageDeps, arch: Arch, busybox: string, modules: KernelModule[], tools: GuestTools = {}): Promise<BaseImage> {
  return once(deps, arch, busybox, modules, tools);
}
