// The bundled example booted on RPM-family kernels: almalinux:9, centos-stream:10,
// amazonlinux:2023, oraclelinux:9/uek and fedora:43 from STAND-IN mirrors on
// 127.0.0.1 (rpm-stand-ins.ts: Debian bookworm's real 6.1 kernels repackaged in each
// distribution's layout and package names, virtio as xz-compressed modules, signed
// with a test key given through the keyring option). amd64 boots under KVM where
// the host has it; arm64 and s390x under TCG.

import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/results/model.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { type MirrorServer, serveMirror } from './mirror-server.js';
import { debianKernelTree, makeTestKey } from './rpm-mirror.js';
import { buildStandIns, standInImages } from './rpm-stand-ins.js';

let server: MirrorServer;
let dir: string;

beforeAll(async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'pm-rpm-vm-'));
  const root = path.join(work, 'mirror');
  server = await serveMirror(root, '');
  const key = await makeTestKey('portmatrix test');
  await buildStandIns(root, server.url, key, work);
  await access(path.join(repoRoot, 'examples/execsnoop/bin/execsnoop-s390x')).catch(() =>
    promisify(execFile)(path.join(repoRoot, 'scripts/build-example'), [], { cwd: repoRoot, timeout: 590_000 }),
  );
  dir = await mkdtemp(path.join(os.tmpdir(), 'pm-rpm-run-'));
  const images = Object.entries(standInImages(server.url, key.keyFile)).map(([k, v]) => `  ${k}: ${v}`);
  const loader = path.join(repoRoot, 'examples/execsnoop/bin/execsnoop-{goarch}');
  await writeFile(
    path.join(dir, 'matrix.yaml'),
    [
      'kernels: [almalinux:9, centos-stream:10, amazonlinux:2023, oraclelinux:9/uek, fedora:43]',
      'arches: [amd64, arm64, s390x]',
      '# The stand-ins hold these arches only (amazonlinux and oraclelinux build no s390x: skipped).',
      'exclude:',
      ...['centos-stream:10', 'oraclelinux:9/uek', 'fedora:43'].map((k) => `  - {arch: arm64, kernel: '${k}'}`),
      "  - {arch: s390x, kernel: 'centos-stream:10'}",
      'images:',
      ...images,
      'loader:',
      `  path: ${loader}`,
      '  timeout: 60',
      '',
    ].join('\n'),
  );
}, 900_000);

afterAll(async () => server?.close());

describe('the example on RPM-family kernels', () => {
  it('boots every stand-in kernel on the arches it has and the example passes', async () => {
    const run = await runCli(['run', '--allow-outside-project', '--retries', '0', '--jobs', '2'], { cwd: dir });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
    const release = Object.fromEntries(await Promise.all((['amd64', 'arm64', 's390x'] as const).map(async (a) => [a, (await debianKernelTree(a)).release])));
    const got = results.cells.map((c) => [c.id, c.status, c.status === 'pass' ? c.guest?.unameR === release[c.arch] : c.reason]);
    expect(got).toEqual([
      ['amd64/almalinux-9/default', 'pass', true],
      ['amd64/amazonlinux-2023/default', 'pass', true],
      ['amd64/centos-stream-10/default', 'pass', true],
      ['amd64/fedora-43/default', 'pass', true],
      ['amd64/oraclelinux-9-uek/default', 'pass', true],
      ['arm64/almalinux-9/default', 'pass', true],
      ['arm64/amazonlinux-2023/default', 'pass', true],
      ['s390x/almalinux-9/default', 'pass', true],
      ['s390x/amazonlinux-2023/default', 'skip', expect.stringMatching(/Amazon Linux 2023 is not built for s390x/)],
      ['s390x/fedora-43/default', 'pass', true],
      ['s390x/oraclelinux-9-uek/default', 'skip', expect.stringMatching(/Oracle Linux 9 is not built for s390x/)],
    ]);
    const byId = Object.fromEntries(results.cells.map((c) => [c.id, c]));
    expect(byId['amd64/fedora-43/default']!.kernel).toMatchObject({
      package: 'kernel-core',
      version: '6.17.9-200.fc43.x86_64',
    });
    expect(byId['amd64/oraclelinux-9-uek/default']!.kernel).toMatchObject({ package: 'kernel-uek-core' });
    expect(byId['arm64/amazonlinux-2023/default']!.kernel).toMatchObject({
      package: 'kernel',
      version: '6.1.158-180.amzn2023.aarch64',
    });
    expect(JSON.parse(byId['s390x/fedora-43/default']!.stdout)).toMatchObject({ ok: true, kernel: release.s390x });
  }, 600_000);
});
