// STAND-INS for the RPM distributions' mirrors (no machine here reaches them), in
// each one's own layout as its documentation gives it, written out here rather than
// taken from src/ so a wrong path in src/ fails the tests. Every kernel is Debian
// bookworm's, repackaged under the distribution's package names (rpm-mirror.ts).

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Arch } from '../../src/core/arch.js';
import { addKernel, createRepo, type KernelSet, type TestKey } from './rpm-mirror.js';

const A: Record<Arch, string> = { amd64: 'x86_64', arm64: 'aarch64', s390x: 's390x' };

interface StandIn {
  source: string;
  arches: Arch[];
  /** Repositories (under the served root) and the kernel each holds; the last holds the newest. */
  repos: (arch: Arch) => { dir: string; set: KernelSet }[];
  compress: 'zstd' | 'xz' | 'gz';
  /** Amazon Linux: the mirror.list that names the repository. */
  mirrorList?: (arch: Arch) => string;
}

const el = (version: string, release: string, payload: KernelSet['payload']): KernelSet => ({
  base: 'kernel',
  split: 'core',
  version,
  release,
  payload,
});

export const STAND_INS: StandIn[] = [
  {
    source: 'almalinux:9',
    arches: ['amd64', 'arm64', 's390x'],
    compress: 'zstd',
    repos: (a) => [{ dir: `almalinux/9/BaseOS/${A[a]}/os`, set: el('5.14.0', '503.15.1.el9_5', 'zstd') }],
  },
  {
    source: 'centos-stream:10',
    arches: ['amd64'],
    compress: 'zstd',
    repos: (a) => [{ dir: `centos-stream/10-stream/BaseOS/${A[a]}/os`, set: el('6.12.0', '55.el10', 'zstd') }],
  },
  {
    source: 'amazonlinux:2023',
    arches: ['amd64', 'arm64'],
    compress: 'gz',
    repos: (a) => [
      {
        dir: `amazonlinux/al2023/core/guids/5e0cd1f7a4b9/${A[a]}`,
        set: { base: 'kernel', split: 'whole', version: '6.1.158', release: '180.amzn2023', payload: 'xz' },
      },
    ],
    mirrorList: (a) => `amazonlinux/al2023/core/mirrors/latest/${A[a]}/mirror.list`,
  },
  {
    source: 'oraclelinux:9/uek',
    arches: ['amd64'],
    compress: 'xz',
    repos: (a) => [
      {
        dir: `oraclelinux/repo/OracleLinux/OL9/UEKR8/${A[a]}`,
        set: { base: 'kernel-uek', split: 'core', version: '6.12.0', release: '100.28.2.el9uek', payload: 'xz' },
      },
    ],
  },
  {
    source: 'fedora:43',
    arches: ['amd64', 's390x'],
    compress: 'zstd',
    repos: (a) => {
      const tree = a === 's390x' ? 'fedora-secondary' : 'fedora';
      return [
        { dir: `${tree}/releases/43/Everything/${A[a]}/os`, set: el('6.17.1', '300.fc43', 'gzip') },
        { dir: `${tree}/updates/43/Everything/${A[a]}`, set: el('6.17.9', '200.fc43', 'zstd') },
      ];
    },
  },
];

/** Builds every stand-in under `root`; `url` is where `root` will be served (mirror.list names it). */
export async function buildStandIns(root: string, url: string, key: TestKey, work: string): Promise<void> {
  for (const s of STAND_INS) {
    for (const arch of s.arches) {
      const repos = s.repos(arch);
      for (const r of repos) {
        await addKernel(path.join(root, r.dir), arch, r.set, key, work);
        await createRepo(path.join(root, r.dir), s.compress);
      }
      if (!s.mirrorList) continue;
      const list = path.join(root, s.mirrorList(arch));
      await mkdir(path.dirname(list), { recursive: true });
      await writeFile(list, `${url}/${repos[0]!.dir}/\n`);
    }
  }
}

/** The `images:` entries that point each source at its stand-in, with the test key as its keyring. */
export function standInImages(url: string, keyFile: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const scheme of ['almalinux', 'centosStream', 'amazonlinux', 'oraclelinux', 'fedora']) {
    const dir = scheme === 'centosStream' ? 'centos-stream' : scheme;
    out[`${scheme}Mirror`] = `${url}/${dir}`;
    out[`${scheme}Keyring`] = keyFile;
  }
  out.fedoraSecondaryMirror = `${url}/fedora-secondary`;
  return out;
}
