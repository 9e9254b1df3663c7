// Real kernels through oci: refs. Debian's bullseye, bookworm and trixie kernels
// (the pinned test kernels, verified through the Debian archive's signatures) are pushed, in cilium/ci-kernels'
// layout (one index, linux/amd64 + linux/arm64, /boot/vmlinuz in a layer), into a
// local docker-registry with skopeo; portmatrix pulls them by tag, boots them
// under TCG and runs the bundled example, then bisects over the three tags.

import { execFile } from 'node:child_process';
import { access, chmod, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageStore, defaultImageOptions } from '../../src/images/store.js';
import type { RunResults } from '../../src/results/model.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { TEST_LOCK } from '../helpers/dev-kernels.js';
import { pushKernelImage, type Registry, startRegistry } from './registry.js';

const SUITES = [
  { suite: 'bullseye', tag: '5.10' },
  { suite: 'bookworm', tag: '6.1' },
  { suite: 'trixie', tag: '6.12' },
] as const;

let registry: Registry;
const refs: Record<string, string> = {};
const releases: Record<string, string> = {};

beforeAll(async () => {
  registry = await startRegistry();
  const store = createImageStore(defaultImageOptions(process.env, os.tmpdir(), { lockFile: TEST_LOCK }));
  for (const { suite, tag } of SUITES) {
    const platforms = await Promise.all(
      (['amd64', 'arm64'] as const).map(async (arch) => {
        const k = await store.kernel(`debian:${suite}`, arch);
        if (arch === 'amd64') releases[tag] = k.release;
        return {
          arch,
          vmlinuz: k.kernelPath,
          config: k.configPath ? { path: k.configPath, release: k.release } : undefined,
        };
      }),
    );
    refs[tag] = await pushKernelImage(registry, 'cilium/ci-kernels', tag, platforms);
  }
  await promisify(execFile)(path.join(repoRoot, 'scripts/build-example'), [], { cwd: repoRoot, timeout: 590_000 });
}, 900_000);

afterAll(async () => registry?.stop());

async function project(matrix: string, files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-oci-run-'));
  await writeFile(path.join(dir, 'matrix.yaml'), matrix);
  for (const [name, text] of Object.entries(files)) {
    await writeFile(path.join(dir, name), text);
    await chmod(path.join(dir, name), 0o755);
  }
  return dir;
}

describe('real kernels from an OCI registry', () => {
  it('boots the 6.12 image on amd64 and arm64 and the example passes on both', async () => {
    const loader = path.join(repoRoot, 'examples/execsnoop/bin/execsnoop-{goarch}');
    await access(loader.replace('{goarch}', 'amd64'));
    const dir = await project(`kernels: ['${refs['6.12']}']\narches: [amd64, arm64]\nloader:\n  path: ${loader}\n  timeout: 60\n`);
    const run = await runCli(['run', '--allow-outside-project', '--accel', 'tcg', '--retries', '0', '--jobs', '1'], {
      cwd: dir,
    });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
    expect(results.cells.map((c) => [c.id, c.status, c.attempts])).toEqual([
      ['amd64/oci-ci-kernels-6.12/default', 'pass', 1],
      ['arm64/oci-ci-kernels-6.12/default', 'pass', 1],
    ]);
    const amd64 = results.cells[0]!;
    expect(amd64.kernel).toMatchObject({
      release: releases['6.12'],
      package: `127.0.0.1:${registry.port}/cilium/ci-kernels`,
    });
    expect(amd64.guest?.unameR).toBe(releases['6.12']);
    expect(JSON.parse(amd64.stdout)).toMatchObject({ ok: true, kernel: releases['6.12'] });
  }, 600_000);

  it('bisects over the three tags: passes from the 6.1 image on', async () => {
    const needs6 = '#!/bin/sh\n[ "$(uname -r | cut -d. -f1)" -ge 6 ] || { echo "needs Linux 6" >&2; exit 1; }\n';
    const dir = await project(`kernels: ['${refs['6.12']}']\narches: [amd64]\nloader:\n  path: ./loader.sh\n  timeout: 20\n`, { 'loader.sh': needs6 });
    const list = SUITES.map((s) => refs[s.tag]).join(',');
    const run = await runCli(['bisect', '--allow-outside-project', '--kernels', list, '--accel', 'tcg', '--retries', '0'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^passes from oci-ci-kernels-6.1 on$/m);
    expect(run.stdout).toMatch(/^3 boot\(s\), 0 cached/m);
    // Retries are off: every booted cell took exactly one attempt.
    const cells = await readdir(path.join(dir, 'results-bisect/cells'));
    expect(cells).toHaveLength(3);
    for (const f of cells) expect(JSON.parse(await readFile(path.join(dir, 'results-bisect/cells', f), 'utf8')).attempts).toBe(1);
  }, 600_000);
});
