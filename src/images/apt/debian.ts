// debian:<suite>[/<flavour>] kernels, busybox-static and libc6: resolve from the
// signed index (or the lock), download the .deb, verify, extract only what is used.

import { chmod, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Arch } from '../../core/arch.js';
import { InfraError } from '../../errors.js';
import type { Cache } from '../cache.js';
import { type Fetcher, NotFoundError } from '../fetcher.js';
import type { LockedDeb, LockedKernel, LockedPackage } from '../lockfile.js';
import { makeTree, treeComplete } from '../tree.js';
import { type KernelModule, NotAvailableError } from '../types.js';
import { type DebMember, downloadDeb, extractDeb, listDeb } from './deb.js';
import type { DebRef, Stanza } from './deb822.js';
import { chooseKernels, chooseNewest, type KernelChoice } from './debian-select.js';

export interface DebianDeps {
  cache: Cache;
  fetcher: Fetcher;
  mirror: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  log: (line: string) => void;
  /** Filtered stanzas of a suite's Packages for an arch (memoised by the store). */
  index: (suite: string, arch: Arch) => Promise<Stanza[]>;
}

interface DebMeta {
  package: string;
  version: string;
  /** Member path → blob sha256. */
  files: Record<string, string>;
}

/** Blobs of the wanted members of a .deb: from the cache when known, else downloaded. */
export async function debBlobs(deps: DebianDeps, ref: DebRef, pick: (members: DebMember[]) => string[], part = ''): Promise<Record<string, string>> {
  // `part` names a second pick from the same .deb (its own record, e.g. `.virtio`).
  const metaFile = `debs/${ref.sha256}${part}.json`;
  const meta = await deps.cache.readJson<DebMeta>(metaFile);
  if (meta && Object.keys(meta.files).length > 0) {
    const ok = await Promise.all(Object.values(meta.files).map((hex) => deps.cache.verifiedBlob(hex)));
    if (ok.every(Boolean)) return meta.files;
  }
  return deps.cache.withLock(
    `deb-${ref.sha256}`,
    async () => {
      const deb = await downloadDeb(deps.fetcher, deps.cache, deps.mirror, ref);
      const scratch = await deps.cache.scratchDir();
      try {
        const members = pick(await listDeb(deb, deps));
        if (members.length === 0) throw new InfraError(`${path.basename(ref.filename)} holds none of the expected files`);
        await extractDeb(deb, scratch, members, deps);
        const files: Record<string, string> = {};
        for (const m of members) files[m] = await deps.cache.putFile(path.join(scratch, m));
        await deps.cache.writeJson(metaFile, { package: ref.package, version: ref.version, files } satisfies DebMeta);
        return files;
      } finally {
        await rm(deb, { force: true });
        await rm(scratch, { recursive: true, force: true });
      }
    },
    deps.signal,
  );
}

const KERNEL_RE = [/^boot\/vmlinu[xz]-(.+)$/, /^usr\/lib\/modules\/([^/]+)\/vmlinuz(?:\.unsigned)?$/];
const CONFIG_RE = [/^boot\/config-(.+)$/, /^usr\/lib\/modules\/([^/]+)\/config$/];
const matchAny = (res: RegExp[], p: string) => res.map((r) => r.exec(p)).find(Boolean)?.[1];
const pickFiles = (res: RegExp[]) => (ms: DebMember[]) => ms.filter((m) => m.type === 'file' && matchAny(res, m.path)).map((m) => m.path);

export interface DebianKernel {
  release: string;
  package: string;
  version: string;
  kernelSha256: string;
  configSha256?: string;
  debs: LockedDeb[];
  /** The signed package whose modules the guest loads (debian-select.ts). */
  modulesDeb?: LockedDeb;
}

async function fromDebs(deps: DebianDeps, kernelDeb: DebRef, configDeb: DebRef | undefined): Promise<Omit<DebianKernel, 'package' | 'version'>> {
  const k = await debBlobs(deps, kernelDeb, pickFiles(configDeb ? KERNEL_RE : [...KERNEL_RE, ...CONFIG_RE]));
  const c = configDeb ? await debBlobs(deps, configDeb, pickFiles(CONFIG_RE)) : k;
  const kernelMember = Object.keys(k).find((p) => matchAny(KERNEL_RE, p));
  if (!kernelMember) throw new InfraError(`${kernelDeb.package} has no kernel image (looked for /boot/vmlinuz-* and /usr/lib/modules/*/vmlinuz)`);
  const configMember = Object.keys(c).find((p) => matchAny(CONFIG_RE, p));
  return {
    release: matchAny(KERNEL_RE, kernelMember)!,
    kernelSha256: k[kernelMember]!,
    configSha256: configMember ? c[configMember] : undefined,
    debs: configDeb ? [kernelDeb, configDeb] : [kernelDeb],
  };
}

/** Newest kernel of the suite for the arch (falls back past pool 404s), or the locked one. */
export function debianKernel(
  deps: DebianDeps,
  source: string,
  suite: string,
  arch: Arch,
  flavour: string | undefined,
  locked?: LockedKernel,
): Promise<DebianKernel> {
  const choose = async () => {
    const choices = chooseKernels(await deps.index(suite, arch), arch, flavour);
    if (choices.length === 0)
      throw new NotAvailableError(source, arch, `no linux-image package for ${arch}${flavour ? ` (flavour ${flavour})` : ''} in ${suite}`);
    return choices;
  };
  return aptKernel(deps, source, arch, choose, locked);
}

/**
 * A kernel of the apt family: the locked .debs when the lock names them, else the first
 * of `choose()` (newest first) whose .debs the pool still has.
 */
export async function aptKernel(
  deps: DebianDeps,
  source: string,
  arch: Arch,
  choose: () => Promise<KernelChoice[]>,
  locked?: LockedKernel,
): Promise<DebianKernel> {
  if (locked?.debs?.length) return lockedKernel(deps, source, arch, { ...locked, debs: locked.debs });
  const choices = await choose();
  for (const [i, choice] of choices.entries()) {
    try {
      const got = await fromDebs(deps, choice.kernelDeb, choice.configDeb);
      return {
        ...got,
        release: got.release || choice.release,
        package: choice.package,
        version: choice.version,
        ...(choice.modulesDeb ? { modulesDeb: choice.modulesDeb } : {}),
      };
    } catch (error) {
      const next = choices[i + 1];
      if (!(error instanceof NotFoundError) || !next) throw error;
      deps.log(`${choice.kernelDeb.filename} is listed in ${source}'s index but missing from the pool (404); falling back to ${next.package} ${next.version}`);
    }
  }
  throw new Error('unreachable');
}

/** Pinned: no index at all. Straight from the cache when the blobs are intact. */
async function lockedKernel(deps: DebianDeps, source: string, arch: Arch, locked: LockedKernel & { debs: LockedDeb[] }): Promise<DebianKernel> {
  const have = (await deps.cache.verifiedBlob(locked.kernelSha256)) && (!locked.configSha256 || (await deps.cache.verifiedBlob(locked.configSha256)));
  const named = {
    package: locked.package ?? '',
    version: locked.version ?? '',
    ...(locked.modulesDeb ? { modulesDeb: locked.modulesDeb } : {}),
  };
  if (have) return { ...locked, ...named, debs: locked.debs };
  const got = await fromDebs(deps, locked.debs[0]!, locked.debs[1]);
  if (got.kernelSha256 !== locked.kernelSha256) {
    throw new InfraError(
      `${source} ${arch}: the kernel in ${locked.debs[0]!.package} has sha256 ${got.kernelSha256}, the lock says ${locked.kernelSha256}; run \`portmatrix images update\``,
    );
  }
  return { ...got, ...named };
}

const VIRTIO_MODULE_RE =
  /^(?:usr\/)?lib\/modules\/[^/]+\/kernel\/drivers\/(?:virtio|char)\/(virtio|virtio_ring|virtio_pci|virtio_pci_legacy_dev|virtio_pci_modern_dev|virtio_console)\.ko$/;

/**
 * The virtio console modules of a kernel package (for kernels that build them as
 * modules: Debian's 5.10 and 6.1), as blob paths. The guest's inputs arrive on a
 * virtio-serial port, so /init loads these before anything else.
 */
export async function debianVirtioModules(deps: DebianDeps, kernelDeb: DebRef): Promise<KernelModule[]> {
  const files = await debBlobs(deps, kernelDeb, (ms) => ms.filter((m) => m.type === 'file' && VIRTIO_MODULE_RE.test(m.path)).map((m) => m.path), '.virtio');
  // The cache names blobs by hash; the guest loads modules by name.
  return Object.entries(files).map(([member, hex]) => ({
    name: path.basename(member, '.ko'),
    path: deps.cache.blobPath(hex),
  }));
}

/** A plain package (busybox-static, libc6): locked debs, else the newest in the suite. */
async function packageDeb(deps: DebianDeps, name: string, suite: string, arch: Arch, locked?: LockedPackage): Promise<DebRef> {
  if (locked?.debs[0]) return locked.debs[0];
  const newest = chooseNewest(await deps.index(suite, arch), name, arch)[0];
  if (!newest) throw new NotAvailableError(`debian:${suite}`, arch, `no ${name} package`);
  return newest;
}

/** Static busybox of bookworm for the arch: blob path (mode 0755) and what to lock. */
export async function debianBusybox(deps: DebianDeps, arch: Arch, locked?: LockedPackage): Promise<{ path: string; lock: LockedPackage }> {
  if (locked?.sha256) {
    const p = await deps.cache.verifiedBlob(locked.sha256);
    if (p) return { path: p, lock: locked };
  }
  const ref = await packageDeb(deps, 'busybox-static', 'bookworm', arch, locked);
  const files = await debBlobs(deps, ref, (ms) => ms.filter((m) => m.path === 'bin/busybox' && m.type === 'file').map((m) => m.path));
  const hex = files['bin/busybox']!;
  if (locked?.sha256 && locked.sha256 !== hex)
    throw new InfraError(`busybox ${arch}: sha256 ${hex} differs from the lock (${locked.sha256}); run \`portmatrix images update\``);
  const p = deps.cache.blobPath(hex);
  await chmod(p, 0o755);
  return { path: p, lock: { sha256: hex, debs: [ref] } };
}

/** libc6 of a suite for the arch, unpacked under trees/<deb sha256>/ (whole package). */
export async function debianLibc(deps: DebianDeps, suite: string, arch: Arch, locked?: LockedPackage): Promise<{ path: string; lock: LockedPackage }> {
  if (locked?.debs[0]) {
    const dir = deps.cache.treePath(locked.debs[0].sha256);
    if (await treeComplete(dir)) return { path: dir, lock: locked };
  }
  const ref = await packageDeb(deps, 'libc6', suite, arch, locked);
  const dir = await makeTree(
    deps.cache,
    ref.sha256,
    { deb: ref },
    async (scratch) => {
      const deb = await downloadDeb(deps.fetcher, deps.cache, deps.mirror, ref);
      try {
        await extractDeb(deb, scratch, 'all', deps);
      } finally {
        await rm(deb, { force: true });
      }
    },
    deps.signal,
  );
  return { path: dir, lock: { debs: [ref] } };
}
