// The guest's root filesystem, in two parts (docs/snapshots.md):
// the base initramfs, a gzipped newc cpio booted by QEMU (built once per arch
// and kernel module set, cached by base-image.ts):
//   /bin/busybox + one symlink per applet in /bin /sbin /usr/bin /usr/sbin
//   /dev/console (5,1), /dev/null (1,3), /proc /sys /tmp
//   /etc/passwd, /etc/group: root and portmatrix (uid 1000) for the `user` option; /etc/hosts
//   /portmatrix-base/modules/*.ko when the kernel has virtio console as modules
//   /portmatrix/pmcap (0755): capabilities (vm-images/pmcap)
//   /portmatrix-base/pmcell (0755): reseed, clock and unpacking of the inputs (vm-images/pmcell)
//   /init (base-init.ts)
// and the cell's inputs, an uncompressed newc cpio sent after boot (inputs.ts),
// unpacked at / over the base, in two parts (the first may be staged into a
// snapshot of its own, shared by every cell of the boot with the same files):
//   shared: an optional Debian libc tree, package trees, the tests' programs
//           and files (suite-inputs.ts)
//   own:    the cell's BTF, /portmatrix/cell.sh (0700: holds the frame token, see init-script.ts)

import { access, lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Arch } from '../core/arch.js';
import { InfraError, UsageError } from '../errors.js';
import type { KernelModule } from '../images/types.js';
import { busyboxApplets } from './applets.js';
import { CELL_HELPER_GUEST_PATH, MODULES_GUEST_DIR } from './base-init.js';
import { type CpioEntry, writeCpio } from './cpio.js';
import { describeElf, parseElf } from './elf.js';
import { CAP_HELPER_GUEST_PATH, CELL_SCRIPT_GUEST_PATH } from './init-script.js';

export interface BaseInitramfsSpec {
  arch: Arch;
  /** Host path of a static busybox built for `arch`. */
  busybox: string;
  /** Text of /init (base-init.ts). */
  init: string;
  /** Kernel modules (virtio console) to place in MODULES_GUEST_DIR. */
  modules?: KernelModule[];
  /** Host path of pmcap for `arch` (capHelperPath): capabilities. */
  capHelper?: string;
  /** Host path of pmcell for `arch` (cellHelperPath): reseed, clock and unpacking of the inputs. */
  cellHelper?: string;
  /** gzip level; default 1: measured as fast as 6 to unpack in the guest, far cheaper to build. */
  gzipLevel?: number;
}

export interface CellInputsSpec {
  arch: Arch;
  /** Text of /portmatrix/cell.sh (suite-script.ts). */
  script: string;
  /** Unpacked libc6 tree merged at / (dynamic programs). */
  libcDir?: string;
  /** Unpacked `packages:` trees, merged at / after the libc (boot/guest-packages.ts). */
  packageRoots?: readonly string[];
  /** Host path of pmcap for `arch`, when the base initramfs does not hold it (tests). */
  capHelper?: string;
  extra?: { hostPath: string; guestPath: string; mode?: number }[];
}

/**
 * Where scripts/build-guest-tools puts pmcap for an arch: vm-images/bin/ of this
 * package (src/guest and dist/guest are both two levels below the package root).
 */
export function capHelperPath(arch: Arch, packageRoot = fileURLToPath(new URL('../..', import.meta.url))): string {
  return path.join(packageRoot, 'vm-images', 'bin', `pmcap-${arch}`);
}

/** Where scripts/build-guest-tools puts pmcell for an arch (next to pmcap). */
export function cellHelperPath(arch: Arch, packageRoot = fileURLToPath(new URL('../..', import.meta.url))): string {
  return path.join(packageRoot, 'vm-images', 'bin', `pmcell-${arch}`);
}

/**
 * Every guest runs its tests through pmcell: the host path of its build for `arch`,
 * or an error that says how to build it.
 */
export async function requireCellHelper(arch: Arch, packageRoot?: string): Promise<string> {
  const p = cellHelperPath(arch, packageRoot);
  if (
    await access(p).then(
      () => true,
      () => false,
    )
  )
    return p;
  throw new UsageError(
    `every guest runs its tests through pmcell, but ${p} is missing; build it with scripts/build-guest-tools ` +
      '(needs clang: apt-get install -y --no-install-recommends clang binutils-aarch64-linux-gnu binutils-s390x-linux-gnu)',
  );
}

/** Pre-flight: every arch whose cells set capabilities has its pmcap build. */
export async function requireCapHelper(cells: { arch: Arch; config: { capabilities?: string[] } }[], packageRoot?: string): Promise<void> {
  const arches = [...new Set(cells.filter((c) => c.config.capabilities !== undefined).map((c) => c.arch))].sort();
  const missing: string[] = [];
  for (const arch of arches) {
    const p = capHelperPath(arch, packageRoot);
    if (
      !(await access(p).then(
        () => true,
        () => false,
      ))
    )
      missing.push(p);
  }
  if (missing.length) {
    throw new UsageError(
      `configs with capabilities need the pmcap helper, but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing; ` +
        'build it with scripts/build-guest-tools (needs Go: apt-get install -y --no-install-recommends golang-go)',
    );
  }
}

export const GUEST_USER = { name: 'portmatrix', uid: 1000, gid: 1000 } as const;

const PASSWD = `root:x:0:0:root:/root:/bin/sh\n${GUEST_USER.name}:x:${GUEST_USER.uid}:${GUEST_USER.gid}:portmatrix:/tmp:/bin/sh\n`;
const GROUP = `root:x:0:\n${GUEST_USER.name}:x:${GUEST_USER.gid}:\n`;
const APPLET_DIRS = ['bin', 'sbin', 'usr/bin', 'usr/sbin'];

async function readHost(what: string, p: string): Promise<Buffer> {
  try {
    return await readFile(p);
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${p}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      cause: err,
    });
  }
}

/** Every file, dir and symlink under `root`, as cpio entries rooted at `/`. */
export async function treeEntries(root: string): Promise<CpioEntry[]> {
  const out: CpioEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(path.join(root, rel))).sort(); // sorted: reproducible archives
    for (const name of names) {
      const r = rel ? `${rel}/${name}` : name;
      const abs = path.join(root, r);
      const st = await lstat(abs);
      const mode = st.mode & 0o7777;
      if (st.isSymbolicLink()) out.push({ path: r, type: 'symlink', target: await readlink(abs) });
      else if (st.isDirectory()) {
        out.push({ path: r, type: 'dir', mode });
        await walk(r);
      } else if (st.isFile()) out.push({ path: r, type: 'file', mode, data: await readFile(abs) });
    }
  };
  await walk('');
  return out;
}

/** Refuses a host binary built for another arch, naming how to get the right one. */
function requireArch(what: string, file: string, binary: Buffer, arch: string, fix: string): void {
  const elf = parseElf(binary);
  if (elf?.arch !== arch) throw new InfraError(`${what} ${file} is ${elf ? describeElf(elf) : 'not an ELF binary'}, not a ${arch} build${fix}`);
}

/** A Debian libc tree, plus the /lib and /lib64 links PT_INTERP needs. */
async function libcEntries(libcDir: string): Promise<CpioEntry[]> {
  const entries = await treeEntries(libcDir);
  // merged-/usr libc packages (trixie on) ship usr/lib only; the /lib and /lib64
  // links come from base-files, which we do not unpack.
  for (const lib of ['lib', 'lib64']) {
    const has = (p: string) => entries.some((e) => e.path === p);
    if (has(`usr/${lib}`) && !has(lib)) entries.push({ path: lib, type: 'symlink', target: `usr/${lib}` });
  }
  return entries;
}

/** The skeleton: directories, device nodes, busybox and a link per applet, passwd and group. */
function baseEntries(busybox: Buffer): CpioEntry[] {
  const entries: CpioEntry[] = [
    ...['dev', 'proc', 'sys', 'tmp', 'root', 'etc', ...APPLET_DIRS].map((p): CpioEntry => ({ path: p, type: 'dir' })),
    { path: 'tmp', type: 'dir', mode: 0o1777 },
    { path: 'dev/console', type: 'char', major: 5, minor: 1, mode: 0o600 },
    { path: 'dev/null', type: 'char', major: 1, minor: 3, mode: 0o666 },
    { path: 'bin/busybox', type: 'file', mode: 0o755, data: busybox },
  ];
  const applets = busyboxApplets(busybox).filter((a) => a !== 'busybox');
  for (const dir of APPLET_DIRS) {
    const target = path.posix.relative(dir, 'bin/busybox');
    for (const applet of applets) entries.push({ path: `${dir}/${applet}`, type: 'symlink', target });
  }
  entries.push(
    { path: 'etc/passwd', type: 'file', data: Buffer.from(PASSWD) },
    { path: 'etc/group', type: 'file', data: Buffer.from(GROUP) },
    {
      path: 'etc/hosts',
      type: 'file',
      data: Buffer.from('127.0.0.1 localhost portmatrix\n::1 localhost portmatrix\n'),
    },
  );
  return entries;
}

/** pmcap at CAP_HELPER_GUEST_PATH, refused when built for another arch. */
async function capHelperEntry(file: string, arch: Arch): Promise<CpioEntry> {
  const helper = await readHost('capability helper (scripts/build-guest-tools)', file);
  requireArch('capability helper', file, helper, arch, '; rebuild with scripts/build-guest-tools');
  return { path: CAP_HELPER_GUEST_PATH.slice(1), type: 'file', mode: 0o755, data: helper };
}

/** pmcell at CELL_HELPER_GUEST_PATH, refused when built for another arch. */
async function cellHelperEntry(file: string, arch: Arch): Promise<CpioEntry> {
  const helper = await readHost('reseed helper (scripts/build-guest-tools)', file);
  requireArch('reseed helper', file, helper, arch, '; rebuild with scripts/build-guest-tools');
  return { path: CELL_HELPER_GUEST_PATH.slice(1), type: 'file', mode: 0o755, data: helper };
}

/** The base initramfs entries: the skeleton, pmcap, pmcell, the virtio modules and /init. */
export async function baseInitramfsEntries(spec: BaseInitramfsSpec): Promise<CpioEntry[]> {
  const busybox = await readHost('busybox', spec.busybox);
  requireArch('busybox', spec.busybox, busybox, spec.arch, ` (Debian busybox-static:${spec.arch})`);
  const entries = baseEntries(busybox);
  if (spec.capHelper) entries.push(await capHelperEntry(spec.capHelper, spec.arch));
  if (spec.cellHelper) entries.push(await cellHelperEntry(spec.cellHelper, spec.arch));
  for (const m of [...(spec.modules ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    entries.push({
      path: `${MODULES_GUEST_DIR.slice(1)}/${m.name}.ko`,
      type: 'file',
      data: await readHost('kernel module', m.path),
    });
  }
  entries.push({ path: 'init', type: 'file', mode: 0o700, data: Buffer.from(spec.init) });
  return entries;
}

/** The gzipped base initramfs (QEMU -initrd): the same for every cell of an arch and kernel. */
export async function buildBaseInitramfs(spec: BaseInitramfsSpec): Promise<Buffer> {
  const cpio = writeCpio(await baseInitramfsEntries(spec));
  return promisify(gzip)(cpio, { level: spec.gzipLevel ?? 1 });
}

/**
 * The part of a cell's inputs that depends only on its arch, libc and packages, not
 * on its config: libc and package trees (suite-inputs.ts adds the tests' programs
 * and files). Every cell of one boot with the same files shares it, so it can be
 * staged into a snapshot (boot/staged-files.ts); ownInputEntries is the cell's own part.
 */
export async function sharedInputEntries(spec: Omit<CellInputsSpec, 'script' | 'extra'>): Promise<CpioEntry[]> {
  // libc first: our own entries come later and win on a clash (cpio.ts: last wins).
  const entries = spec.libcDir ? await libcEntries(spec.libcDir) : [];
  // As unpacked: no /lib links of their own, which could replace the libc's /lib directory.
  for (const root of spec.packageRoots ?? []) entries.push(...(await treeEntries(root)));
  if (spec.capHelper) entries.push(await capHelperEntry(spec.capHelper, spec.arch));
  return entries;
}

/** The cell's own part: the extras (its BTF) and cell.sh, last. */
export async function ownInputEntries(spec: Pick<CellInputsSpec, 'script' | 'extra'>): Promise<CpioEntry[]> {
  const entries: CpioEntry[] = [];
  for (const x of spec.extra ?? []) {
    entries.push({ path: x.guestPath, type: 'file', mode: x.mode ?? 0o644, data: await readHost('file', x.hostPath) });
  }
  // 0700: a test running as a non-root user cannot read the frame token out of cell.sh.
  entries.push({ path: CELL_SCRIPT_GUEST_PATH.slice(1), type: 'file', mode: 0o700, data: Buffer.from(spec.script) });
  return entries;
}
