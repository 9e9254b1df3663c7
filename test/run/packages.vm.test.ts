// `packages:` in a real guest: the C + libbpf example (examples/execwatch, linked
// dynamically against Debian's libbpf.so.1) on bookworm, amd64 and s390x (big
// endian). Without the package (none, or others) the run is refused before any
// boot, naming the library and the package; with `packages: [libbpf1]` it loads
// and checks its event.

import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/results/model.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';

const matrix = (packages: string) => `kernels: [debian:bookworm]
arches: [amd64, s390x]
libc: [debian:bookworm]
${packages}loader:
  path: ./execwatch-{arch}
  timeout: 60
`;

describe('guest packages', () => {
  it('refuse a loader whose library neither libc nor a listed package provides, and run it with packages: [libbpf1]', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-packages-vm-'));
    for (const arch of ['amd64', 's390x']) await copyFile(path.join(repoRoot, `examples/execwatch/bin/execwatch-${arch}`), path.join(dir, `execwatch-${arch}`));
    await useTestLock(dir);

    for (const packages of ['', 'packages: [zlib1g]\n']) {
      await writeFile(path.join(dir, 'matrix.yaml'), matrix(packages));
      const refused = await runCli(['run', '--accel', 'tcg', '--retries', '0'], { cwd: dir });
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toMatch(/^ {2}libbpf\.so\.1: in Debian package libbpf1$/m);
      expect(refused.stderr).not.toMatch(/^start /m);
    }

    await writeFile(path.join(dir, 'matrix.yaml'), matrix('packages: [libbpf1]\n'));
    const run = await runCli(['run', '--accel', 'tcg', '--retries', '0'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
    for (const cell of results.cells) {
      expect([cell.id, cell.status, cell.attempts]).toEqual([cell.id, 'pass', 1]);
      const line = JSON.parse(cell.stdout.trim().split('\n').pop()!);
      expect(line).toMatchObject({ ok: true, filename: '/bin/true', libbpf: '1.1' });
    }
    expect(results.cells.map((c) => c.arch)).toEqual(['amd64', 's390x']);
  }, 600_000);
});
