// The bundled example on Ubuntu kernels, through a STAND-IN of Ubuntu's archive and
// ports (ubuntu-mirror.ts: this machine cannot reach Ubuntu; real Debian kernels
// repackaged in Ubuntu's layout, InRelease signed by a test key that the matrix gives
// as ubuntuKeyring). ubuntu:jammy (6.1 on amd64 and arm64, whose virtio console is a
// module loaded from linux-modules-*) and ubuntu:noble/hwe (6.12) on the three arches.

import { access, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/results/model.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';
import { type MirrorServer, serveMirror } from './mirror-server.js';
import { buildUbuntuMirror, type UbuntuMirror } from './ubuntu-mirror.js';

let mirror: UbuntuMirror;
let server: MirrorServer;
const loader = path.join(repoRoot, 'examples/execsnoop/bin/execsnoop-{goarch}');

beforeAll(async () => {
  for (const goarch of ['amd64', 'arm64', 's390x']) {
    await access(loader.replace('{goarch}', goarch)).catch(() => {
      throw new Error(`${loader.replace('{goarch}', goarch)} is missing: run scripts/build-example first`);
    });
  }
  mirror = await buildUbuntuMirror();
  server = await serveMirror(mirror.root, '');
}, 1_200_000);
afterAll(async () => {
  await server?.close();
  mirror?.cleanup();
});

describe('Ubuntu kernels from a stand-in archive, booted', () => {
  it('runs the example on ubuntu:jammy and ubuntu:noble/hwe on amd64, arm64 and s390x', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-ubuntu-run-'));
    const matrix = [
      'kernels: [ubuntu:jammy, ubuntu:noble/hwe]',
      'arches: [amd64, arm64, s390x]',
      'images:',
      `  ubuntuMirror: ${server.url}/ubuntu`,
      `  ubuntuPortsMirror: ${server.url}/ubuntu-ports`,
      `  ubuntuKeyring: ${mirror.keyring}`,
      `loader:\n  path: ${loader}\n  timeout: 60`,
    ];
    await writeFile(path.join(dir, 'matrix.yaml'), `${matrix.join('\n')}\n`);
    // Busybox stays Debian's, pinned like every VM test's.
    await useTestLock(dir);
    const run = await runCli(['run', '--allow-outside-project', '--accel', 'tcg', '--retries', '0', '--jobs', '1'], { cwd: dir });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
    const ids = ['amd64', 'arm64', 's390x'].flatMap((a) => [`${a}/ubuntu-jammy/default`, `${a}/ubuntu-noble-hwe/default`]);
    expect(results.cells.map((c) => [c.id, c.status]).sort()).toEqual(ids.sort().map((id) => [id, 'pass']));
    for (const cell of results.cells) {
      const want = mirror.kernels.find((k) => k.source === cell.kernel.source && k.arch === cell.arch)!;
      expect(cell.kernel).toMatchObject({ release: want.release, package: want.package, version: want.version });
      expect(JSON.parse(cell.stdout)).toMatchObject({ ok: true });
    }
    const lock = JSON.parse(await readFile(path.join(dir, 'portmatrix.lock'), 'utf8'));
    expect(
      Object.keys(lock.kernels)
        .filter((k) => k.startsWith('ubuntu:'))
        .sort(),
    ).toEqual(['ubuntu:jammy', 'ubuntu:noble/hwe'].flatMap((s) => ['amd64', 'arm64', 's390x'].map((a) => `${s} ${a}`)).sort());
  }, 1_800_000);
});
