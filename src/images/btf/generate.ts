// BTF for a Debian kernel built without it: the matching linux-image-<release>-dbg
// package (from the same signed index as the kernel), only its vmlinux streamed out,
// `pahole --btf_encode_detached` over its DWARF. Cached by the kernel's sha256, so a
// second run (or another matrix) downloads nothing.

import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Arch } from '../../core/arch.js';
import { InfraError, MissingToolError } from '../../errors.js';
import { which } from '../../host/which.js';
import { type DebRef, debRef, type Stanza } from '../apt/deb822.js';
import type { Cache } from '../cache.js';
import { runTool } from '../tools.js';
import { type StreamDeps, streamDebMember } from './stream.js';

/** What portmatrix.lock records per kernel (key `<source> <arch>`). */
export interface LockedBtf {
  /** The kernel this BTF describes. */
  kernelSha256: string;
  btfSha256: string;
  debs: DebRef[];
}

export interface GenerateDeps extends StreamDeps {
  cache: Cache;
  index: (suite: string, arch: Arch) => Promise<Stanza[]>;
}

export interface KernelToDescribe {
  source: string;
  suite: string;
  arch: Arch;
  release: string;
  version?: string;
  sha256: string;
}

/** Whether a Packages name is a kernel debug package (the index keeps these too). */
export const isDbgPackageName = (n: string) => /^linux-image-.+-dbg$/.test(n);

/** The -dbg package of exactly this kernel build; a clear error naming package and suite when absent. */
export function chooseDbg(stanzas: Stanza[], k: KernelToDescribe): DebRef {
  const name = `linux-image-${k.release}-dbg`;
  const all = stanzas.filter((s) => s.Package === name);
  const same = all.find((s) => !k.version || s.Version === k.version);
  if (!same) {
    const other = all.map((s) => s.Version).join(', ');
    throw new InfraError(
      `no ${name}${k.version ? ` ${k.version}` : ''} in Debian ${k.suite} for ${k.arch}${other ? ` (the index has ${other})` : ''}: ` +
        'cannot generate BTF for this kernel; use btf: kernel, none or file:<path>',
    );
  }
  return debRef(same);
}

async function pahole(vmlinux: string, out: string, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<void> {
  const bin = which('pahole', env);
  if (!bin) throw new MissingToolError('pahole', 'dwarves');
  const res = await runTool(bin, [`--btf_encode_detached=${out}`, vmlinux], { env, signal });
  const ok =
    res.code === 0 &&
    (await stat(out).then(
      (s) => s.size > 0,
      () => false,
    ));
  if (!ok)
    throw new InfraError(`pahole --btf_encode_detached failed (exit ${res.code}): ${(res.stderr || res.stdout.toString()).trim().slice(-2000) || 'no output'}`);
}

/** A BTF blob in the cache, and what the lock records of it. */
export interface GeneratedBtf {
  path: string;
  lock: LockedBtf;
}

/** The BTF `lock` names, when its blob is in the cache, intact. */
async function intact(cache: Cache, lock: LockedBtf | undefined): Promise<GeneratedBtf | undefined> {
  const p = lock && (await cache.verifiedBlob(lock.btfSha256));
  return lock && p ? { path: p, lock } : undefined;
}

/** Streams only vmlinux out of the -dbg package `ref`, runs pahole over its DWARF and puts the BTF in the cache. */
async function btfFromDbg(deps: GenerateDeps, k: KernelToDescribe, ref: DebRef): Promise<LockedBtf> {
  const scratch = await deps.cache.scratchDir();
  try {
    const dir = path.join(scratch, 'deb');
    await mkdir(dir);
    const vmlinux = await streamDebMember(deps, ref, `usr/lib/debug/boot/vmlinux-${k.release}`, dir);
    const started = Date.now();
    const out = path.join(scratch, 'vmlinux.btf');
    await pahole(vmlinux, out, deps.env, deps.signal);
    await rm(vmlinux, { force: true }); // hundreds of MB of DWARF: gone at once
    const btfSha256 = await deps.cache.putFile(out);
    const size = (await stat(deps.cache.blobPath(btfSha256))).size;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    deps.log(`generated BTF for ${k.release} with pahole in ${seconds} s: ${(size / 1048576).toFixed(1)} MiB`);
    return { kernelSha256: k.sha256, btfSha256, debs: [ref] };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Path of the generated BTF blob, and what to lock: the locked BTF when it describes this
 * kernel, else the cache's record of it, else generated once under a cache lock.
 */
export async function generateBtf(deps: GenerateDeps, k: KernelToDescribe, locked?: LockedBtf): Promise<GeneratedBtf> {
  if (locked?.kernelSha256 === k.sha256) {
    const pinned = await intact(deps.cache, locked);
    if (pinned) return pinned;
  }
  const metaKey = `btf/${k.sha256}.json`;
  const recorded = async () => intact(deps.cache, await deps.cache.readJson<LockedBtf>(metaKey));
  const known = await recorded();
  if (known) return known;
  return deps.cache.withLock(
    `btf-${k.sha256}`,
    async () => {
      const again = await recorded();
      if (again) return again;
      if (!which('pahole', deps.env)) throw new MissingToolError('pahole', 'dwarves'); // before a 400 MB download
      const ref = locked?.debs[0] ?? chooseDbg(await deps.index(k.suite, k.arch), k);
      const lock = await btfFromDbg(deps, k, ref);
      await deps.cache.writeJson(metaKey, lock);
      return { path: deps.cache.blobPath(lock.btfSha256), lock };
    },
    deps.signal,
  );
}
