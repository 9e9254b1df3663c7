// `portmatrix repro` on a results dir with one failing and one passing cell (from a
// real `portmatrix run`, standing in for a downloaded CI artifact): it boots only
// the failing cell, with the same kernel build, and says the failure reproduced.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/results/model.js';
import { runCli } from '../helpers/cli.js';
import { scriptProject } from '../helpers/script-project.js';

const MATRIX_TAIL = `configs:
  - name: good
  - name: bad
    cmdline: [pm.fail]
loader:
  path: ./check.sh
  timeout: 30
`;

const read = async (dir: string): Promise<RunResults> => JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8'));

describe('portmatrix repro', () => {
  it('boots only the failed cell of a results dir, on the kernel it ran on, and says it reproduced', async () => {
    // Fails where the kernel command line says so: the bad config, every time.
    const dir = await scriptProject('pm-repro-vm-', { 'check.sh': 'if grep -q pm.fail /proc/cmdline; then echo broken; exit 1; fi' }, MATRIX_TAIL);
    const ci = await runCli(['run', '--retries', '0', '--results-dir', 'ci-results'], { cwd: dir });
    expect(ci.code, ci.stderr).toBe(1);
    const before = await read(path.join(dir, 'ci-results'));
    expect(before.cells.map((c) => [c.config, c.status])).toEqual([
      ['bad', 'fail'],
      ['good', 'pass'],
    ]);
    const failed = before.cells.find((c) => c.status === 'fail')!;

    const repro = await runCli(['repro', 'ci-results', '--retries', '0'], { cwd: dir });
    expect(repro.code, repro.stderr).toBe(0);
    expect(repro.stdout).toContain(`\nreproduced: ${failed.id}: fail here, fail in CI`);
    const after = await read(path.join(dir, 'results-repro'));
    expect(after.cells.map((c) => [c.id, c.status, c.kernel.sha256])).toEqual([[failed.id, 'fail', failed.kernel.sha256]]);
  }, 600_000);
});
