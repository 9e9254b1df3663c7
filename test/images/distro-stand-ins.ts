// STAND-INS for every distribution archive but Debian's, on one 127.0.0.1 server: no
// machine here reaches Ubuntu's or the RPM distributions' archives. Ubuntu's archive
// and ports archive (ubuntu-mirror.ts) and the RPM repositories (rpm-stand-ins.ts) hold
// REAL Debian kernels repackaged in each distribution's layout and package names, signed
// with test keys that reach portmatrix through the keyring options users have.
// `npm run distros` and the distribution VM tests boot the example from them.

import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseSource } from '../../src/config/kernels.js';
import { ARCHES, type Arch } from '../../src/core/arch.js';
import { distroOf } from '../../src/core/distros.js';
import { type MirrorServer, serveMirror } from './mirror-server.js';
import { makeTestKey } from './rpm-mirror.js';
import { buildStandIns, STAND_INS, standInImages } from './rpm-stand-ins.js';
import { buildUbuntuMirror, type UbuntuMirror } from './ubuntu-mirror.js';

/** The sources issue 23's matrix names, in its order; fedora:43 is the current Fedora. */
export const DISTRO_SOURCES = [
  'ubuntu:jammy',
  'ubuntu:noble/hwe',
  'almalinux:9',
  'centos-stream:10',
  'amazonlinux:2023',
  'oraclelinux:9/uek',
  'fedora:43',
] as const;

/** The arches the stand-in of `source` holds (the Ubuntu stand-in holds all three). */
export function standInArches(source: string): readonly Arch[] {
  if (source.startsWith('ubuntu:')) return ARCHES;
  const rpm = STAND_INS.find((s) => s.source === source);
  if (!rpm) throw new Error(`no stand-in for ${source}`);
  return rpm.arches;
}

/** Why the distribution itself builds no kernel of `source` for `arch` (portmatrix skips that cell), else undefined. */
export function notBuilt(source: string, arch: Arch): string | undefined {
  const parsed = parseSource(source);
  if (parsed?.kind !== 'distro') throw new Error(`${source} is not a distribution source`);
  return distroOf(parsed.scheme)?.unavailable?.(parsed.release, parsed.flavour, arch);
}

/**
 * Cells to leave out: an arch the distribution builds but its stand-in lacks (no Debian
 * kernel of that shape was packaged for it). An arch the distribution does not build
 * stays in, for portmatrix to skip with its reason.
 */
export function standInGaps(sources: readonly string[]): { kernel: string; arch: Arch }[] {
  return sources.flatMap((kernel) =>
    ARCHES.filter((arch) => !standInArches(kernel).includes(arch) && !notBuilt(kernel, arch)).map((arch) => ({ kernel, arch })),
  );
}

export interface DistroStandIns {
  url: string;
  ubuntu: UbuntuMirror;
  /** The matrix's `images:` entries: every stand-in's mirror and its test keyring. */
  images: Record<string, string>;
  close(): Promise<void>;
}

/** Builds both stand-ins under one root (Ubuntu's temp dir) and serves it. */
export async function serveDistroStandIns(): Promise<DistroStandIns> {
  const ubuntu = await buildUbuntuMirror();
  let server: MirrorServer | undefined;
  let gnupg: string | undefined;
  const cleanup = () => {
    if (gnupg) execFileSync('gpgconf', ['--homedir', gnupg, '--kill', 'gpg-agent']);
    if (gnupg) rmSync(gnupg, { recursive: true, force: true });
    ubuntu.cleanup();
  };
  try {
    server = await serveMirror(ubuntu.root, '');
    const key = await makeTestKey('portmatrix test');
    gnupg = key.gnupg;
    const work = path.join(ubuntu.root, 'rpm-work');
    mkdirSync(work);
    // The RPM trees sit beside ubuntu/ and ubuntu-ports/; mirror.list files name the served URL.
    await buildStandIns(ubuntu.root, server.url, key, work);
    const images = {
      ubuntuMirror: `${server.url}/ubuntu`,
      ubuntuPortsMirror: `${server.url}/ubuntu-ports`,
      ubuntuKeyring: ubuntu.keyring,
      ...standInImages(server.url, key.keyFile),
    };
    const close = async () => (await server!.close(), cleanup());
    return { url: server.url, ubuntu, images, close };
  } catch (err) {
    await server?.close();
    cleanup();
    throw err;
  }
}

/** The matrix: every source × every arch, the stand-ins' gaps excluded, the example's loader on each. */
export function distrosMatrix(images: Record<string, string>, loader: string, sources: readonly string[] = DISTRO_SOURCES): string {
  const gaps = standInGaps(sources);
  return [
    `kernels: [${sources.join(', ')}]`,
    `arches: [${ARCHES.join(', ')}]`,
    ...(gaps.length ? ['# Arches the distribution builds but its stand-in does not hold.', 'exclude:'] : []),
    ...gaps.map((g) => `  - {arch: ${g.arch}, kernel: '${g.kernel}'}`),
    'images:',
    ...Object.entries(images).map(([k, v]) => `  ${k}: ${v}`),
    'loader:',
    `  path: ${loader}`,
    '  timeout: 60',
    '',
  ].join('\n');
}
