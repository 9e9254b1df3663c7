// The bundled example booted on every distribution kernel issue 23 names, in the one
// matrix `npm run distros` runs: ubuntu:jammy, ubuntu:noble/hwe, almalinux:9,
// centos-stream:10, amazonlinux:2023, oraclelinux:9/uek and fedora:43 × amd64, arm64,
// s390x, from STAND-IN archives on 127.0.0.1 (distro-stand-ins.ts: REAL Debian kernels
// repackaged in each distribution's layout, signed with test keys given through the
// keyring options). Ubuntu: jammy 6.1 (virtio console a module from linux-modules-*),
// noble/hwe 6.12. RPM family: bookworm's 6.1 (trixie's 6.12 on s390x), virtio as
// xz-compressed modules. amd64 boots under KVM where the host has it, the rest under TCG.

import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Arch } from '../../src/core/arch.js';
import type { RunResults } from '../../src/results/model.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';
import { type DistroStandIns, distrosMatrix, serveDistroStandIns } from './distro-stand-ins.js';
import { debianKernelTree } from './rpm-mirror.js';

let stand: DistroStandIns;
let dir: string;
const loader = path.join(repoRoot, 'examples/execsnoop/bin/execsnoop-{goarch}');

beforeAll(async () => {
  await access(loader.replace('{goarch}', 's390x')).catch(() =>
    promisify(execFile)(path.join(repoRoot, 'scripts/build-example'), [], { cwd: repoRoot, timeout: 590_000 }),
  );
  stand = await serveDistroStandIns();
  dir = await mkdtemp(path.join(os.tmpdir(), 'pm-distros-run-'));
  await writeFile(path.join(dir, 'matrix.yaml'), distrosMatrix(stand.images, loader));
  // Busybox stays Debian's, pinned like every VM test's.
  await useTestLock(dir);
}, 1_200_000);
afterAll(async () => {
  await stand?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const UBUNTU_CELLS = ['amd64', 'arm64', 's390x'].flatMap((a) => [`${a}/ubuntu-jammy/default`, `${a}/ubuntu-noble-hwe/default`]);
const RPM_PASSES = [
  'amd64/almalinux-9/default',
  'amd64/amazonlinux-2023/default',
  'amd64/centos-stream-10/default',
  'amd64/fedora-43/default',
  'amd64/oraclelinux-9-uek/default',
  'arm64/almalinux-9/default',
  'arm64/amazonlinux-2023/default',
  's390x/almalinux-9/default',
  's390x/fedora-43/default',
];

describe('the example on every distribution kernel, from stand-in archives', () => {
  it('boots each kernel on the arches its stand-in holds, skips the arches its distribution does not build', async () => {
    const run = await runCli(['run', '--allow-outside-project', '--retries', '0', '--jobs', '2'], { cwd: dir });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
    const want = [...UBUNTU_CELLS, ...RPM_PASSES].map((id) => [id, 'pass', undefined]);
    want.push(
      ['s390x/amazonlinux-2023/default', 'skip', expect.stringMatching(/Amazon Linux 2023 is not built for s390x/)],
      ['s390x/oraclelinux-9-uek/default', 'skip', expect.stringMatching(/Oracle Linux 9 is not built for s390x/)],
    );
    const byId = Object.fromEntries(results.cells.map((c) => [c.id, c]));
    expect(results.cells.map((c) => [c.id, c.status, c.status === 'skip' ? c.reason : undefined]).sort()).toEqual(want.sort());
    for (const id of UBUNTU_CELLS) {
      const cell = byId[id]!;
      const kernel = stand.ubuntu.kernels.find((k) => k.source === cell.kernel.source && k.arch === cell.arch)!;
      expect(cell.kernel).toMatchObject({ release: kernel.release, package: kernel.package, version: kernel.version });
      expect(JSON.parse(cell.stdout)).toMatchObject({ ok: true });
    }
    const release: Record<string, string> = {};
    for (const a of ['amd64', 'arm64', 's390x'] as Arch[]) release[a] = (await debianKernelTree(a)).release;
    for (const id of RPM_PASSES) expect([id, byId[id]!.guest?.unameR]).toEqual([id, release[byId[id]!.arch]]);
    expect(byId['amd64/fedora-43/default']!.kernel).toMatchObject({ package: 'kernel-core', version: '6.17.9-200.fc43.x86_64' });
    expect(byId['amd64/oraclelinux-9-uek/default']!.kernel).toMatchObject({ package: 'kernel-uek-core' });
    expect(byId['arm64/amazonlinux-2023/default']!.kernel).toMatchObject({ package: 'kernel', version: '6.1.158-180.amzn2023.aarch64' });
    expect(JSON.parse(byId['s390x/fedora-43/default']!.stdout)).toMatchObject({ ok: true, kernel: release.s390x });
    const lock = JSON.parse(await readFile(path.join(dir, 'portmatrix.lock'), 'utf8'));
    const ubuntuLocked = Object.keys(lock.kernels).filter((k) => k.startsWith('ubuntu:'));
    expect(ubuntuLocked.sort()).toEqual(['ubuntu:jammy', 'ubuntu:noble/hwe'].flatMap((s) => ['amd64', 'arm64', 's390x'].map((a) => `${s} ${a}`)).sort());
  }, 2_400_000);
});
