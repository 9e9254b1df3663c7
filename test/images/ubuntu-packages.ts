// STAND-IN for Ubuntu's kernel packages: this machine cannot reach Ubuntu's archive, so
// REAL Debian kernel packages (the pinned test kernels, verified by sha256 against the
// lock that Debian's signed index produced) are repackaged the way Ubuntu packages its
// kernel: `dpkg-deb -R`, then split and renamed —
//   linux-image-unsigned-<abi>-generic   /boot/vmlinuz-<abi>-generic
//   linux-modules-<abi>-generic          /lib/modules/<abi>-generic/... and /boot/config-*
// The modules package keeps the drivers a VM boot needs (virtio, 9p), not all of them.
// The kernel inside still calls itself by its Debian `uname -r`.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Arch } from '../../src/core/arch.js';
import { downloadDeb } from '../../src/images/apt/deb.js';
import { Cache } from '../../src/images/cache.js';
import { createFetcher } from '../../src/images/fetcher.js';
import type { LockedDeb } from '../../src/images/lockfile.js';
import { TEST_LOCK } from '../helpers/dev-kernels.js';

const ROOT = path.join(os.homedir(), '.cache', 'portmatrix-test-mirror', 'ubuntu-stand-in');
const DEBIAN = 'https://deb.debian.org/debian';

/** One built .deb of the stand-in pool and the control fields its Packages stanza needs. */
export interface BuiltDeb {
  package: string;
  version: string;
  arch: Arch;
  /** Absolute path of the .deb. */
  file: string;
  depends?: string;
}

/** The pinned Debian kernel .deb of `debian:<suite>` for an arch (test/fixtures/kernels.lock). */
function pinnedDeb(suite: string, arch: Arch): LockedDeb {
  const lock = JSON.parse(readFileSync(TEST_LOCK, 'utf8'));
  const deb = lock.kernels[`debian:${suite} ${arch}`]?.debs?.[0] as LockedDeb | undefined;
  if (!deb) throw new Error(`stand-in: ${TEST_LOCK} pins no debian:${suite} ${arch} kernel`);
  return deb;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The real Debian .deb, downloaded once and verified against the lock's sha256 every time. */
async function debianDeb(ref: LockedDeb): Promise<string> {
  const file = path.join(ROOT, 'debian', path.basename(ref.filename));
  if (existsSync(file) && sha256(file) === ref.sha256) return file;
  const cache = new Cache(path.join(ROOT, 'cache'), () => {});
  const tmp = await downloadDeb(createFetcher({ concurrency: 1 }), cache, DEBIAN, ref);
  mkdirSync(path.dirname(file), { recursive: true });
  renameSync(tmp, file);
  return file;
}

function control(dir: string, fields: Record<string, string | undefined>): void {
  mkdirSync(path.join(dir, 'DEBIAN'), { recursive: true });
  const text = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
  writeFileSync(path.join(dir, 'DEBIAN', 'control'), `${text}\n`);
}

/** `dpkg-deb -b` with Ubuntu's compression (zstd); returns the .deb path. */
function build(dir: string, out: string, d: Omit<BuiltDeb, 'file'>): BuiltDeb {
  const maintainer = 'portmatrix tests <tests@portmatrix.invalid>';
  const description = 'portmatrix test stand-in for an Ubuntu kernel package';
  control(dir, {
    Package: d.package,
    Version: d.version,
    Architecture: d.arch,
    Maintainer: maintainer,
    Depends: d.depends,
    Description: description,
  });
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zzstd', '-z3', '-b', dir, out], { stdio: 'ignore' });
  return { ...d, file: out };
}

/** Module directories a VM boot can need from a distribution kernel. */
const BOOT_MODULES = ['kernel/drivers/virtio', 'kernel/drivers/char', 'kernel/drivers/block', 'kernel/fs/9p', 'kernel/net/9p'];

/** Copies the Debian kernel's boot files into the image and modules trees under Ubuntu's names. */
function split(unpacked: string, rel: string, image: string, modules: string): void {
  const boot = path.join(unpacked, 'boot');
  const vmlinuz = readdirSync(boot).find((f) => /^vmlinu[xz]-/.test(f))!;
  const config = readdirSync(boot).find((f) => f.startsWith('config-'))!;
  mkdirSync(path.join(image, 'boot'), { recursive: true });
  cpSync(path.join(boot, vmlinuz), path.join(image, 'boot', `vmlinuz-${rel}`));
  mkdirSync(path.join(modules, 'boot'), { recursive: true });
  cpSync(path.join(boot, config), path.join(modules, 'boot', `config-${rel}`));
  const modRoot = ['lib/modules', 'usr/lib/modules'].map((d) => path.join(unpacked, d)).find((d) => existsSync(d))!;
  const debianRel = readdirSync(modRoot)[0]!;
  for (const sub of BOOT_MODULES) {
    const from = path.join(modRoot, debianRel, sub);
    if (existsSync(from)) cpSync(from, path.join(modules, 'lib/modules', rel, sub), { recursive: true });
  }
}

/**
 * The image and modules packages of Ubuntu ABI `abi` (e.g. 6.1.0-50), made from the
 * pinned `debian:<suite>` kernel of the arch. Built once into the test cache.
 */
export async function kernelPackages(suite: string, arch: Arch, abi: string, version: string): Promise<BuiltDeb[]> {
  const rel = `${abi}-generic`;
  const dir = path.join(ROOT, 'pool', `${rel}_${arch}`);
  const image = { package: `linux-image-unsigned-${rel}`, version, arch };
  const modules = { package: `linux-modules-${rel}`, version, arch };
  const debs = [image, modules].map((d) => ({ ...d, file: path.join(dir, `${d.package}_${version}_${arch}.deb`) }));
  if (debs.every((d) => existsSync(d.file) && statSync(d.file).size > 0)) return debs;
  const work = path.join(ROOT, 'work', `${rel}_${arch}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  execFileSync('dpkg-deb', ['-R', await debianDeb(pinnedDeb(suite, arch)), path.join(work, 'debian')]);
  split(path.join(work, 'debian'), rel, path.join(work, 'image'), path.join(work, 'modules'));
  mkdirSync(dir, { recursive: true });
  const built = [build(path.join(work, 'image'), debs[0]!.file, image), build(path.join(work, 'modules'), debs[1]!.file, modules)];
  rmSync(work, { recursive: true, force: true });
  return built;
}

/** A small package built into `dir` (metapackages, which have no files; the decoy). */
export function smallPackage(dir: string, d: Omit<BuiltDeb, 'file'>, files: Record<string, string> = {}): BuiltDeb {
  const work = path.join(dir, `.work-${d.package}_${d.arch}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(work, name)), { recursive: true });
    writeFileSync(path.join(work, name), text);
  }
  const built = build(work, path.join(dir, `${d.package}_${d.version}_${d.arch}.deb`), d);
  rmSync(work, { recursive: true, force: true });
  return built;
}
