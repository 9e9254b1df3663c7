// `portmatrix bisect` on real Debian kernels under TCG: a loader that needs Linux 6
// or newer, over bullseye (5.10), bookworm (6.1), trixie (6.12) and sid, names
// bookworm as the first good kernel in 3 boots; asked again, it boots nothing.
// Booted through the run session, a bisect restores the snapshots of its boots.

import { chmod, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';

const NEEDS_6 = `#!/bin/sh
major=$(uname -r | cut -d. -f1)
echo "kernel $(uname -r)"
if [ "$major" -lt 6 ]; then echo "needs Linux 6 or newer" >&2; exit 1; fi
`;

/** A project that bisects the loader above over `kernels`. */
async function project(kernels: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-bisect-'));
  await writeFile(path.join(dir, 'loader.sh'), NEEDS_6);
  await chmod(path.join(dir, 'loader.sh'), 0o755);
  await useTestLock(dir);
  const matrix = ['kernels: [debian:trixie]', 'arches: [amd64]', 'loader:', '  path: ./loader.sh', '  timeout: 20'];
  await writeFile(path.join(dir, 'matrix.yaml'), `${[...matrix, `bisect: [${kernels.join(', ')}]`].join('\n')}\n`);
  return dir;
}

describe('bisect', () => {
  it('finds the first kernel that passes in at most 3 boots, then reuses every result', async () => {
    const dir = await project(['debian:bullseye', 'debian:bookworm', 'debian:trixie', 'debian:sid']);

    const first = await runCli(['bisect', '--accel', 'tcg', '--retries', '0'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines[0]).toBe('bisect amd64/default over debian-bullseye, debian-bookworm, debian-trixie, debian-sid: at most 4 boots');
    expect(lines.filter((l) => / booted /.test(l))).toHaveLength(3);
    expect(first.stdout).toMatch(
      /^passes from debian-bookworm on\n {2}fail {2}amd64\/debian-bullseye\/default: loader exited with code 1\n {2}pass {2}amd64\/debian-bookworm\/default$/m,
    );
    expect(lines.at(-1)).toBe('3 boot(s), 0 cached; results in results-bisect');
    // Retries are off: every booted cell took exactly one attempt.
    const cells = await readdir(path.join(dir, 'results-bisect/cells'));
    expect(cells).toHaveLength(3);
    for (const f of cells) expect(JSON.parse(await readFile(path.join(dir, 'results-bisect/cells', f), 'utf8')).attempts).toBe(1);

    const again = await runCli(['bisect', '--accel', 'tcg', '--retries', '0'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^passes from debian-bookworm on$/m);
    expect(again.stdout.trim().split('\n').at(-1)).toBe('0 boot(s), 3 cached; results in results-bisect');

    // Another results dir takes nothing from the first, unless named with --from.
    const fromArgs = ['--results-dir', 'results-from', '--from', 'results-bisect'];
    const from = await runCli(['bisect', '--accel', 'tcg', ...fromArgs], { cwd: dir });
    expect(from.code, from.stderr).toBe(0);
    expect(from.stdout.trim().split('\n').at(-1)).toBe('0 boot(s), 3 cached; results in results-from');
  }, 600_000);

  it('restores each kernel from the snapshot of its boot that an earlier bisect saved', async () => {
    const dir = await project(['debian:bullseye', 'debian:trixie']);
    const boots = async (resultsDir: string) => {
      const r = await runCli(['bisect', '--accel', 'tcg', '--retries', '0', '--results-dir', resultsDir], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^passes from debian-trixie on$/m);
      const files = await readdir(path.join(dir, resultsDir, 'cells'));
      const read = async (f: string) => JSON.parse(await readFile(path.join(dir, resultsDir, 'cells', f), 'utf8'));
      const cells = await Promise.all(files.map(read));
      return Object.fromEntries(cells.map((c) => [c.kernel.name, c.boot]));
    };
    // The first bisect boots each kernel cold and saves its state, or restores one a run
    // on this cache saved before (the cache is shared, snapshots are keyed by content).
    const first = await boots('results-first');
    for (const boot of Object.values(first)) expect(['cold', 'snapshot']).toContain(boot);
    // A second bisect into a fresh results dir boots both kernels again: from their snapshots.
    expect(await boots('results-second')).toEqual({ 'debian-bullseye': 'snapshot', 'debian-trixie': 'snapshot' });
  }, 600_000);
});
