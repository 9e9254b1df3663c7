// A STAND-IN for the RPM distributions' mirrors, which no machine here reaches:
// repositories in each distribution's exact layout, served on 127.0.0.1, made of
// REAL Debian kernels (bookworm's 6.1, from the pinned test lock, verified through
// Debian's signed archive) repackaged the way the distributions package theirs:
// kernel-core holds /lib/modules/<ver>/vmlinuz and config, kernel-modules-core the
// virtio modules compressed with xz, each built with rpmbuild, signed with a test
// key (rpmsign) and indexed by createrepo_c. The test key goes in through the
// keyring option users have.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Arch } from '../../src/core/arch.js';
import { RPM_ARCH } from '../../src/core/distros.js';
import { downloadDeb, extractDeb, listDeb } from '../../src/images/apt/deb.js';
import { createFetcher } from '../../src/images/fetcher.js';
import { createImageStore, defaultImageOptions } from '../../src/images/store.js';
import { TEST_LOCK } from '../helpers/dev-kernels.js';

const run = (file: string, args: string[], env: NodeJS.ProcessEnv = process.env, input?: Buffer) =>
  execFileSync(file, args, { env, input, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });

/** One package to build: name, version, release, files (path in the package → host file). */
interface PackageSpec {
  name: string;
  version: string;
  release: string;
  arch: Arch;
  files: Record<string, string>;
  payload: 'xz' | 'zstd' | 'gzip';
}

export interface TestKey {
  gnupg: string;
  /** Armored public key: what the keyring option is given. */
  keyFile: string;
  fingerprint: string;
}

/** A fresh signing key in its own GNUPGHOME (no passphrase: rpmsign runs unattended). */
export async function makeTestKey(name: string): Promise<TestKey> {
  const gnupg = await mkdtemp(path.join(os.tmpdir(), 'pm-rpm-gpg-'));
  await chmod(gnupg, 0o700);
  const env = { ...process.env, GNUPGHOME: gnupg };
  run('gpg', ['--batch', '--quiet', '--passphrase', '', '--quick-gen-key', `${name} <test@portmatrix.invalid>`, 'rsa2048', 'sign', 'never'], env);
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(run('gpg', ['--with-colons', '--list-keys'], env).toString())![1]!;
  const keyFile = path.join(gnupg, 'key.asc');
  await writeFile(keyFile, run('gpg', ['--armor', '--export', fingerprint], env));
  return { gnupg, keyFile, fingerprint };
}

/** Where the Debian kernel files are unpacked once, for every test and run. */
const DEBIAN_FILES = path.join(os.homedir(), '.cache', 'portmatrix-test-mirror', 'rpm-stand-in');

/**
 * bookworm's 6.1 builds virtio as modules (and has BTF) on amd64 and arm64; its s390x
 * kernel has no BTF, which the example needs, so s390x stands in with trixie's 6.12.
 */
const SUITE: Record<Arch, string> = { amd64: 'bookworm', arm64: 'bookworm', s390x: 'trixie' };

/** The kernel image, config and virtio modules of a Debian kernel for `arch`, unpacked once. */
export async function debianKernelTree(arch: Arch): Promise<{ dir: string; release: string }> {
  const store = createImageStore(defaultImageOptions(process.env, os.tmpdir(), { lockFile: TEST_LOCK }));
  const k = await store.kernel(`debian:${SUITE[arch]}`, arch);
  const dir = path.join(DEBIAN_FILES, `${k.locked.debs![0]!.sha256}`);
  if (existsSync(path.join(dir, 'done'))) return { dir, release: k.release };
  const deb = await downloadDeb(createFetcher({ concurrency: 2 }), store.cache, 'https://deb.debian.org/debian', k.locked.debs![0]!);
  const tools = { env: process.env };
  const boot = /^boot\/(vmlinuz|config)-/;
  const drivers = /^(usr\/)?lib\/modules\/[^/]+\/kernel\/drivers\/(virtio\/.*|char\/virtio_console|block\/virtio_blk)\.ko(\.xz)?$/;
  const want = (p: string) => boot.test(p) || drivers.test(p);
  const members = (await listDeb(deb, tools)).filter((m) => m.type === 'file' && want(m.path)).map((m) => m.path);
  await mkdir(dir, { recursive: true });
  await extractDeb(deb, dir, members, tools);
  await rm(deb, { force: true });
  await writeFile(path.join(dir, 'done'), '');
  return { dir, release: k.release };
}

/** rpmbuild of one package from host files; returns the .rpm path (unsigned). */
async function buildRpm(spec: PackageSpec, work: string): Promise<string> {
  const top = await mkdtemp(path.join(work, 'rpmbuild-'));
  const tree = path.join(top, 'tree');
  for (const [inPkg, host] of Object.entries(spec.files)) {
    await mkdir(path.dirname(path.join(tree, inPkg)), { recursive: true });
    await copyFile(host, path.join(tree, inPkg));
  }
  const specFile = path.join(top, `${spec.name}.spec`);
  // No brp scripts: nothing may strip or recompress a foreign arch's kernel files.
  await writeFile(
    specFile,
    [
      `Name: ${spec.name}`,
      `Version: ${spec.version}`,
      `Release: ${spec.release}`,
      'Summary: portmatrix test stand-in',
      'License: GPL-2.0-only',
      'AutoReqProv: no',
      '%description',
      'Debian kernel files repackaged for a test.',
      '%install',
      `cp -a ${tree}/. %{buildroot}/`,
      '%files',
      ...Object.keys(spec.files).map((f) => `/${f}`),
      '',
    ].join('\n'),
  );
  const payload = { xz: 'w6.xzdio', zstd: 'w3.zstdio', gzip: 'w6.gzdio' }[spec.payload];
  // --target (not BuildArch, which rpmbuild refuses for a foreign arch) sets the package's arch.
  run('rpmbuild', [
    '-bb',
    '--quiet',
    '--target',
    `${RPM_ARCH[spec.arch]!}-linux`,
    '--define',
    `_topdir ${top}`,
    '--define',
    `_binary_payload ${payload}`,
    '--define',
    '__os_install_post %{nil}',
    '--define',
    'debug_package %{nil}',
    '--define',
    '_build_id_links none',
    specFile,
  ]);
  const dir = path.join(top, 'RPMS', RPM_ARCH[spec.arch]!);
  return path.join(dir, (await readdir(dir))[0]!);
}

export function signRpm(file: string, key: TestKey): void {
  run('rpmsign', ['--addsign', '--define', '__gpg /usr/bin/gpg', '--define', `_gpg_name ${key.fingerprint}`, file], {
    ...process.env,
    GNUPGHOME: key.gnupg,
  });
}

/** The packages of one distribution's kernel, Debian's files under its names. */
export interface KernelSet {
  /** `kernel` or `kernel-uek`. */
  base: string;
  /** Where the distribution splits: `core` = <base>-core + <base>-modules-core; `whole` = one <base>. */
  split: 'core' | 'whole';
  version: string;
  release: string;
  payload: PackageSpec['payload'];
}

/**
 * Builds, signs and writes one kernel's packages into `repo`/Packages/ (createrepo_c runs
 * later); `without`: modules left out.
 */
export async function addKernel(repo: string, arch: Arch, set: KernelSet, key: TestKey | undefined, work: string, without: string[] = []): Promise<string[]> {
  const { dir, release } = await debianKernelTree(arch);
  const modules: Record<string, string> = {};
  const kroot = `lib/modules/${release}`;
  // Debian's own tree: /lib/modules (bookworm) or /usr/lib/modules (trixie).
  const from = existsSync(path.join(dir, kroot)) ? path.join(dir, kroot) : path.join(dir, 'usr', kroot);
  for (const f of await readdir(from, { recursive: true })) {
    const file = String(f);
    if (without.some((m) => path.basename(file).startsWith(`${m}.ko`))) continue;
    if (file.endsWith('.ko.xz')) modules[`${kroot}/${file}`] = path.join(from, file);
    if (!file.endsWith('.ko')) continue;
    // Compressed as RHEL and Fedora ship them.
    const xz = path.join(from, `${file}.xz`);
    if (!existsSync(xz)) await writeFile(xz, run('xz', ['-c', '--check=crc32', path.join(from, file)]));
    modules[`${kroot}/${file}.xz`] = xz;
  }
  const image = {
    [`${kroot}/vmlinuz`]: path.join(dir, `boot/vmlinuz-${release}`),
    [`${kroot}/config`]: path.join(dir, `boot/config-${release}`),
  };
  const common = { version: set.version, release: set.release, arch, payload: set.payload };
  const specs: PackageSpec[] =
    set.split === 'whole'
      ? [{ ...common, name: set.base, files: { ...image, ...modules } }]
      : [
          { ...common, name: `${set.base}-core`, files: image },
          { ...common, name: `${set.base}-modules-core`, files: modules },
        ];
  await mkdir(path.join(repo, 'Packages'), { recursive: true });
  const out: string[] = [];
  for (const spec of specs) {
    const built = await buildRpm(spec, work);
    if (key) signRpm(built, key);
    const dest = path.join(repo, 'Packages', path.basename(built));
    await copyFile(built, dest);
    out.push(dest);
  }
  return out;
}

/**
 * repodata/ for `repo`, its metadata compressed as the distribution does. createrepo_c
 * 0.17 (bookworm) writes no zstd: the primary is recompressed and repomd.xml rewritten,
 * as newer createrepo_c would have written them (Fedora and EL10 publish zstd).
 */
export async function createRepo(repo: string, compress: 'zstd' | 'xz' | 'gz'): Promise<void> {
  run('createrepo_c', ['--quiet', '--no-database', `--general-compress-type=${compress === 'zstd' ? 'xz' : compress}`, repo]);
  if (compress !== 'zstd') return;
  const repodata = path.join(repo, 'repodata');
  const xz = (await readdir(repodata)).find((f) => f.endsWith('-primary.xml.xz'))!;
  const zst = run('zstd', ['-q', '-c', '-3'], undefined, run('xz', ['-dc', path.join(repodata, xz)]));
  const hex = createHash('sha256').update(zst).digest('hex');
  const name = `${hex}-primary.xml.zst`;
  await writeFile(path.join(repodata, name), zst);
  await rm(path.join(repodata, xz));
  const repomd = await readFile(path.join(repodata, 'repomd.xml'), 'utf8');
  const oldHex = xz.slice(0, 64);
  const patched = repomd.replace(/(<data type="primary">[\s\S]*?<\/data>)/, (block) =>
    block
      .replace(`>${oldHex}<`, `>${hex}<`)
      .replace(`repodata/${xz}`, `repodata/${name}`)
      .replace(/<size>\d+<\/size>/, `<size>${zst.length}</size>`),
  );
  await writeFile(path.join(repodata, 'repomd.xml'), patched);
}
