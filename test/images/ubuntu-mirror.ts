// STAND-IN for Ubuntu's archive (amd64) and ports archive (arm64, s390x), which this
// machine cannot reach: the same layout — dists/<series>{,-updates,-security}/InRelease
// → main/binary-<arch>/Packages.{xz,gz} → pool/ — made of the repackaged REAL Debian
// kernels of ubuntu-packages.ts, signed with a key this file generates with gpg into a
// temporary GNUPGHOME. The key reaches portmatrix the way a user's would: ubuntuKeyring.
//
// jammy: its release pocket lists an older decoy kernel (linux-image-generic 5.15.0.25)
// that must lose to the one in -updates and -security (6.1.0-50, from Debian bookworm;
// s390x from trixie, as bookworm's s390x kernel has no BTF). noble: the HWE
// metapackage in -updates names 6.12 (Debian trixie).

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Arch } from '../../src/core/arch.js';
import { type BuiltDeb, kernelPackages, smallPackage } from './ubuntu-packages.js';

export interface UbuntuKernel {
  series: string;
  source: string;
  arch: Arch;
  release: string;
  package: string;
  version: string;
}

export interface UbuntuMirror {
  /** Serves `ubuntu/` (the archive) and `ubuntu-ports/`. */
  root: string;
  /** The archive's key, exported: what `ubuntuKeyring` points at. */
  keyring: string;
  /** A second key, never exported into `keyring`. */
  strangerFpr: string;
  /** Signs `<archive>/dists/<suite>/Release` into InRelease with the key given. */
  sign(archive: string, suite: string, fpr?: string): void;
  /** The kernels the stand-in offers (what portmatrix must pick). */
  kernels: UbuntuKernel[];
  /**
   * A newer build lands in `<series>-updates` for an arch: Ubuntu ABI `abi` made from
   * Debian `suite`'s pinned kernel, with a metapackage naming it; the pocket is re-signed.
   */
  gain(series: 'jammy' | 'noble', arch: Arch, from: { suite: string; abi: string }): Promise<UbuntuKernel>;
  cleanup(): void;
}

const ARCHIVE_OF: Record<Arch, string> = { amd64: 'ubuntu', arm64: 'ubuntu-ports', s390x: 'ubuntu-ports' };

/** Debian suite and Ubuntu ABI each stand-in kernel comes from. */
const KERNELS: Record<'jammy' | 'noble', Record<Arch, { suite: string; abi: string }>> = {
  jammy: {
    amd64: { suite: 'bookworm', abi: '6.1.0-50' },
    arm64: { suite: 'bookworm', abi: '6.1.0-50' },
    s390x: { suite: 'trixie', abi: '6.12.107-13' },
  },
  noble: {
    amd64: { suite: 'trixie', abi: '6.12.117-13' },
    arm64: { suite: 'trixie', abi: '6.12.117-13' },
    s390x: { suite: 'trixie', abi: '6.12.107-13' },
  },
};

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function gpg(home: string, args: string[]): string {
  const quiet = ['--quiet', '--batch', '--pinentry-mode', 'loopback', '--passphrase', ''];
  return execFileSync('gpg', ['--homedir', home, ...quiet, ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
}

function newKey(home: string, uid: string): string {
  gpg(home, ['--quick-gen-key', uid, 'ed25519', 'sign', 'never']);
  const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(gpg(home, ['--with-colons', '--list-keys', uid]))?.[1];
  if (!fpr) throw new Error(`stand-in: gpg made no key for ${uid}`);
  return fpr;
}

/** A Packages stanza for a .deb placed at `filename` under the archive root. */
function stanza(d: BuiltDeb, filename: string): string {
  const bytes = readFileSync(d.file);
  const fields = {
    Package: d.package,
    Architecture: d.arch,
    Version: d.version,
    'Installed-Size': String(Math.ceil(bytes.length / 1024)),
    Depends: d.depends,
    Filename: filename,
    Size: String(bytes.length),
    SHA256: sha256(bytes),
  };
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}

/** Links each .deb into the archive's pool and returns the suite's Packages text. */
function pool(archiveDir: string, debs: BuiltDeb[]): string {
  return debs
    .map((d) => {
      const filename = `pool/main/l/${d.package.startsWith('linux-image-generic') ? 'linux-meta' : 'linux'}/${path.basename(d.file)}`;
      mkdirSync(path.join(archiveDir, path.dirname(filename)), { recursive: true });
      rmSync(path.join(archiveDir, filename), { force: true });
      symlinkSync(d.file, path.join(archiveDir, filename));
      return `${stanza(d, filename)}\n`;
    })
    .join('\n');
}

/** dists/<suite>/: Packages.xz and .gz per arch and the unsigned Release over them. */
function writeSuite(archiveDir: string, suite: string, byArch: Partial<Record<Arch, BuiltDeb[]>>): void {
  const dist = path.join(archiveDir, 'dists', suite);
  const sums: string[] = [];
  for (const [arch, debs] of Object.entries(byArch) as [Arch, BuiltDeb[]][]) {
    const dir = path.join(dist, 'main', `binary-${arch}`);
    mkdirSync(dir, { recursive: true });
    const text = Buffer.from(pool(archiveDir, debs));
    writeFileSync(path.join(dir, 'Packages.gz'), gzipSync(text));
    writeFileSync(path.join(dir, 'Packages.xz'), execFileSync('xz', ['-c'], { input: text }));
    for (const f of ['Packages.gz', 'Packages.xz']) {
      const bytes = readFileSync(path.join(dir, f));
      sums.push(` ${sha256(bytes)} ${bytes.length} main/binary-${arch}/${f}`);
    }
  }
  const head = `Origin: Ubuntu\nLabel: Ubuntu\nSuite: ${suite}\nCodename: ${suite.split('-')[0]}\nArchitectures: ${Object.keys(byArch).join(' ')}\nComponents: main\n`;
  writeFileSync(path.join(dist, 'Release'), `${head}Description: portmatrix test stand-in\nSHA256:\n${sums.join('\n')}\n`);
}

/** The kernel packages of one series and arch: image, modules and the metapackage naming them. */
async function seriesDebs(
  dir: string,
  series: 'jammy' | 'noble',
  arch: Arch,
  { suite, abi } = KERNELS[series][arch],
): Promise<{ debs: BuiltDeb[]; kernel: UbuntuKernel }> {
  const version = `${abi}.60`;
  const debs = await kernelPackages(suite, arch, abi, version);
  const metaName = series === 'noble' ? 'linux-image-generic-hwe-24.04' : 'linux-image-generic';
  const depends = `linux-image-${abi}-generic, linux-modules-extra-${abi}-generic, linux-firmware`;
  const meta = smallPackage(dir, { package: metaName, version: `${abi.replace('-', '.')}.60`, arch, depends });
  const source = series === 'noble' ? 'ubuntu:noble/hwe' : 'ubuntu:jammy';
  return {
    debs: [...debs, meta],
    kernel: { series, source, arch, release: `${abi}-generic`, package: debs[0]!.package, version },
  };
}

/** An old kernel in jammy's release pocket, whose "vmlinuz" is text: picking it would fail the tests. */
function decoy(dir: string, arch: Arch): BuiltDeb[] {
  const rel = '5.15.0-25-generic';
  return [
    smallPackage(dir, { package: 'linux-image-generic', version: '5.15.0.25.27', arch, depends: `linux-image-${rel}` }),
    smallPackage(dir, { package: `linux-image-unsigned-${rel}`, version: '5.15.0-25.25', arch }, { [`boot/vmlinuz-${rel}`]: 'decoy\n' }),
    smallPackage(dir, { package: `linux-modules-${rel}`, version: '5.15.0-25.25', arch }, { [`boot/config-${rel}`]: '# decoy\n' }),
  ];
}

export async function buildUbuntuMirror(arches: readonly Arch[] = ['amd64', 'arm64', 's390x']): Promise<UbuntuMirror> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pm-ubuntu-'));
  const home = path.join(root, 'gnupg');
  mkdirSync(home, { mode: 0o700 });
  const fpr = newKey(home, 'portmatrix test Ubuntu archive <archive@portmatrix.invalid>');
  const strangerFpr = newKey(home, 'portmatrix test stranger <stranger@portmatrix.invalid>');
  const keyring = path.join(root, 'ubuntu-test-keyring.gpg');
  writeFileSync(keyring, execFileSync('gpg', ['--homedir', home, '--export', fpr]));
  const small = path.join(root, 'small');
  mkdirSync(small);
  const suites: Record<string, Record<string, Partial<Record<Arch, BuiltDeb[]>>>> = { ubuntu: {}, 'ubuntu-ports': {} };
  const kernels: UbuntuKernel[] = [];
  for (const arch of arches) {
    const archive = (suites[ARCHIVE_OF[arch]] ??= {});
    const jammy = await seriesDebs(small, 'jammy', arch);
    const noble = await seriesDebs(small, 'noble', arch);
    kernels.push(jammy.kernel, noble.kernel);
    const add = (suite: string, debs: BuiltDeb[]) => void ((archive[suite] ??= {})[arch] = debs);
    add('jammy', decoy(small, arch));
    add('jammy-updates', jammy.debs);
    add('jammy-security', jammy.debs);
    add('noble', []);
    add('noble-updates', noble.debs);
    add('noble-security', []);
  }
  const sign = (archive: string, suite: string, key = fpr) => {
    const dist = path.join(root, archive, 'dists', suite);
    gpg(home, ['--yes', '--local-user', key, '--clearsign', '--output', path.join(dist, 'InRelease'), path.join(dist, 'Release')]);
  };
  for (const [archive, bySuite] of Object.entries(suites)) {
    for (const [suite, byArch] of Object.entries(bySuite)) {
      writeSuite(path.join(root, archive), suite, byArch);
      sign(archive, suite);
    }
  }
  const gain: UbuntuMirror['gain'] = async (series, arch, from) => {
    const built = await seriesDebs(small, series, arch, from);
    const archive = ARCHIVE_OF[arch];
    const byArch = suites[archive]![`${series}-updates`]!;
    byArch[arch] = [...(byArch[arch] ?? []), ...built.debs];
    writeSuite(path.join(root, archive), `${series}-updates`, byArch);
    sign(archive, `${series}-updates`);
    kernels.push(built.kernel);
    return built.kernel;
  };
  const cleanup = () => {
    execFileSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent']);
    rmSync(root, { recursive: true, force: true });
  };
  return { root, keyring, strangerFpr, sign, kernels, gain, cleanup };
}

/** Size of a file under the stand-in root (tests compare what they tamper with). */
export const sizeOf = (root: string, rel: string) => statSync(path.join(root, rel)).size;
