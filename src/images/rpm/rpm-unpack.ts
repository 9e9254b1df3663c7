// A verified RPM kernel made into cache blobs: the kernel image, its config and
// the modules the guest loads (each decompressed, in dependency order). Module
// packages are opened only while a needed module is still missing.

import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Arch } from '../../core/arch.js';
import { InfraError } from '../../errors.js';
import type { Cache } from '../cache.js';
import { parseKernelConfig } from '../config-facts.js';
import { isModuleFile, moduleName, plainModule } from '../kmod/decompress.js';
import { loadOrder, modulesToLoad } from '../kmod/guest-modules.js';
import { moduleDepends, parseModinfo } from '../kmod/modinfo.js';
import { downloadRpm, type RpmDownloadDeps, type RpmRef } from './rpm-download.js';
import { extractRpm } from './rpm-payload.js';

export interface RpmKernelFiles {
  release: string;
  kernelSha256: string;
  configSha256?: string;
  /** The RPMs used: the image's first, then the module packages that were opened. */
  rpms: RpmRef[];
  /** Modules the guest loads, in load order; undefined when the kernel cannot reach the inputs port. */
  modules?: { name: string; sha256: string }[];
}

const KERNEL_RE = [/^(?:usr\/)?lib\/modules\/([^/]+)\/vmlinuz$/, /^boot\/vmlinuz-(.+)$/];
const CONFIG_RE = [/^(?:usr\/)?lib\/modules\/([^/]+)\/config$/, /^boot\/config-(.+)$/];
const PATTERNS = ['*/vmlinuz*', '*/config*', '*.ko', '*.ko.*'];

/** Every file under `dir`, as paths relative to it (an RPM's tree is bounded by its payload). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)));
}

const matchAny = (res: RegExp[], p: string) => res.map((r) => r.exec(p)).find(Boolean)?.[1];

interface Unpacked {
  dir: string;
  files: string[];
}

async function unpack(deps: RpmDownloadDeps, mirror: string, ref: RpmRef, scratch: string): Promise<Unpacked> {
  const file = await downloadRpm(deps, mirror, ref);
  const dir = path.join(scratch, ref.sha256);
  try {
    await extractRpm(file, dir, PATTERNS, deps);
  } finally {
    await rm(file, { force: true });
  }
  return { dir, files: await filesUnder(dir).catch(() => []) };
}

/** name → module file, over what is unpacked so far (earlier packages win). */
function moduleIndex(trees: Unpacked[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const t of trees) for (const f of t.files) if (isModuleFile(f) && !index.has(moduleName(f))) index.set(moduleName(f), path.join(t.dir, f));
  return index;
}

/** The modules `roots` need, as blobs in load order; opens module packages while one is missing. */
async function guestModules(deps: RpmDownloadDeps, mirror: string, roots: string[], trees: Unpacked[], more: RpmRef[], scratch: string) {
  const found = new Map<string, { depends: string[]; sha256: string }>();
  const queue = [...roots];
  let index = moduleIndex(trees);
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (found.has(name)) continue;
    while (!index.has(name) && more.length > 0) {
      trees.push(await unpack(deps, mirror, more.shift()!, scratch));
      index = moduleIndex(trees);
    }
    const file = index.get(name);
    if (!file) continue; // loadOrder names what is missing
    const plain = await plainModule(file, await readFile(file), deps);
    const info = parseModinfo(plain);
    if (!info) throw new InfraError(`kernel module ${path.basename(file)} is not a 64-bit ELF module`);
    found.set(name, { depends: moduleDepends(info), sha256: await deps.cache.putBytes(plain) });
    queue.push(...moduleDepends(info));
  }
  return loadOrder(roots, (n) => found.get(n)?.depends).map((name) => ({ name, sha256: found.get(name)!.sha256 }));
}

/** Downloads, verifies and unpacks `rpms` (image first) into blobs. */
export async function rpmKernelFiles(deps: RpmDownloadDeps & { cache: Cache }, mirror: string, rpms: RpmRef[], arch: Arch): Promise<RpmKernelFiles> {
  const scratch = await deps.cache.scratchDir();
  try {
    const image = await unpack(deps, mirror, rpms[0]!, scratch);
    const kernel = image.files.find((f) => matchAny(KERNEL_RE, f));
    if (!kernel) throw new InfraError(`${rpms[0]!.package} has no kernel image (looked for /lib/modules/*/vmlinuz and /boot/vmlinuz-*)`);
    const config = image.files.find((f) => matchAny(CONFIG_RE, f));
    const configText = config ? await readFile(path.join(image.dir, config), 'utf8') : '';
    const roots = modulesToLoad(arch, parseKernelConfig(configText));
    const trees = [image];
    const more = rpms.slice(1);
    const modules = roots ? await guestModules(deps, mirror, roots, trees, more, scratch) : undefined;
    return {
      release: matchAny(KERNEL_RE, kernel)!,
      kernelSha256: await deps.cache.putFile(path.join(image.dir, kernel)),
      ...(config ? { configSha256: await deps.cache.putFile(path.join(image.dir, config)) } : {}),
      rpms: rpms.slice(0, trees.length),
      ...(modules ? { modules } : {}),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
