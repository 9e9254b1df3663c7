// btf.objects that match nothing stop `run` before anything downloads or boots,
// with a located error (plan does not check them: it runs before the build).

import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/cli.js';

describe('btf.objects', () => {
  it('matching no file for an arch is a located error from run, exit 2', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-btf-objects-'));
    await copyFile(`${repoRoot}/examples/execsnoop/bin/execsnoop-amd64`, path.join(dir, 'execsnoop-amd64'));
    await writeFile(
      path.join(dir, 'matrix.yaml'),
      `kernels: [debian:trixie]
arches: [amd64]
configs: [{name: min, btf: min}]
btf:
  objects: ["build/prog-{goarch}.o"]
loader:
  path: execsnoop-{goarch}
`,
    );
    const run = await runCli(['run', '--retries', '0'], { cwd: dir });
    expect(run.stderr).toBe(
      'portmatrix: matrix.yaml:5:13: btf.objects[0]: build/prog-amd64.o matches no file for amd64; build the BPF objects first, or fix the path or glob (relative to the matrix file)\n',
    );
    expect(run.code).toBe(2);
    const plan = await runCli(['plan'], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(0);
  });
});
