// run and bisect boot through one run session, so bisect refuses what run refuses,
// before anything downloads or boots: here btf.objects that match no file.

import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/cli.js';

describe('the run session', () => {
  it("gives bisect run's pre-flights: the same located error, exit 2", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-session-'));
    await writeFile(
      path.join(dir, 'matrix.yaml'),
      `kernels: [debian:bookworm, debian:trixie]
arches: [amd64]
btf:
  objects: ["build/prog-{goarch}.o"]
loader:
  path: ${repoRoot}/examples/execsnoop/bin/execsnoop-{goarch}
`,
    );
    const run = await runCli(['run', '--retries', '0', '--allow-outside-project'], { cwd: dir });
    const bisect = await runCli(['bisect', '--retries', '0', '--allow-outside-project'], { cwd: dir });
    const located = 'portmatrix: matrix.yaml:4:13: btf.objects[0]: build/prog-amd64.o matches no file for amd64; ';
    expect(run.stderr).toContain(located);
    expect(run.code).toBe(2);
    expect(bisect.stderr).toBe(run.stderr);
    expect(bisect.code).toBe(2);
    expect(bisect.stdout).toBe('');
  });
});
