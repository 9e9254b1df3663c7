// `portmatrix repro`'s checks before any boot: which cells, results of another
// matrix, a lock that pins another kernel image; and what counts as reproduced.

import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyLock, type LockData } from '../../src/images/lockfile.js';
import { expandCells } from '../../src/plan/expand.js';
import { compareOutcome, outcomeLine, reproPlan } from '../../src/repro/select.js';
import type { CellResult, RunResults, Status } from '../../src/results/model.js';
import { runCli } from '../helpers/cli.js';
import { matrixFrom } from '../plan/helpers.js';

const where = { resultsDir: 'ci', matrixFile: 'matrix.yaml', lockFile: 'portmatrix.lock' };
const cellsOf = async (yaml: string) => expandCells((await matrixFrom(yaml)).matrix);
const MATRIX = 'kernels: [debian:trixie]\narches: [amd64, arm64]\nloader: {path: "loader-{arch}"}\n';

function result(id: string, status: Status, kernel: Partial<CellResult['kernel']> = {}): CellResult {
  const arch = id.split('/')[0] as CellResult['arch'];
  return { id, arch, status, kernel: { source: 'debian:trixie', name: 'debian-trixie', ...kernel } } as CellResult;
}
const results = (...cells: CellResult[]) => ({ cells }) as RunResults;
const lockWith = (sha: string): LockData => ({
  ...emptyLock(),
  kernels: {
    'debian:trixie amd64': {
      source: 'debian:trixie',
      arch: 'amd64',
      release: '6.12',
      version: '6.12.9-1',
      kernelSha256: sha,
    },
  },
});

describe('reproPlan', () => {
  it('picks the failed, flaky and infra cells, in the results order', async () => {
    const cells = await cellsOf(MATRIX);
    const ci = results(result('amd64/debian-trixie/default', 'infra'), result('arm64/debian-trixie/default', 'pass'));
    const plan = reproPlan(ci, cells, emptyLock(), where);
    expect(plan.cells.map((c) => c.id)).toEqual(['amd64/debian-trixie/default']);
    expect([...plan.was.keys()]).toEqual(['amd64/debian-trixie/default']);
  });

  it('refuses results of another matrix, naming the cells it lacks', async () => {
    const cells = await cellsOf(MATRIX);
    const ci = results(result('s390x/debian-trixie/default', 'fail'));
    expect(() => reproPlan(ci, cells, emptyLock(), where)).toThrow(
      'ci holds results of another matrix: s390x/debian-trixie/default is not a cell of matrix.yaml ' +
        '(it has amd64/debian-trixie/default, arm64/debian-trixie/default); pass the matrix CI ran with --matrix FILE',
    );
  });

  it('refuses a cell whose kernel source differs', async () => {
    const cells = await cellsOf(MATRIX);
    const ci = results(result('amd64/debian-trixie/default', 'fail', { source: 'debian:trixie/cloud' }));
    expect(() => reproPlan(ci, cells, emptyLock(), where)).toThrow(
      'cell amd64/debian-trixie/default booted debian:trixie/cloud there, matrix.yaml boots debian:trixie',
    );
  });

  it('refuses a lock that pins another kernel image than CI booted', async () => {
    const cells = await cellsOf(MATRIX);
    const kernel = { sha256: 'a'.repeat(64), package: 'linux-image-6.12.8-amd64', version: '6.12.8-1' };
    const ci = results(result('amd64/debian-trixie/default', 'fail', kernel));
    expect(() => reproPlan(ci, cells, lockWith('b'.repeat(64)), where)).toThrow(
      'amd64/debian-trixie/default: CI booted linux-image-6.12.8-amd64 6.12.8-1 (sha256 aaaaaaaaaaaa), portmatrix.lock pins ' +
        '6.12.9-1 (sha256 bbbbbbbbbbbb); check out the commit CI ran',
    );
    expect(reproPlan(ci, cells, lockWith('a'.repeat(64)), where).cells).toHaveLength(1);
  });
});

describe('compareOutcome', () => {
  const id = 'amd64/debian-trixie/default';
  it.each([
    ['fail', 'fail', true],
    ['fail', 'pass', false],
    ['infra', 'infra', true],
    ['infra', 'fail', false],
    ['flaky', 'fail', true],
    ['flaky', 'flaky', true],
    ['flaky', 'pass', false],
  ] as const)('%s in CI, %s here: reproduced %s', (was, now, reproduced) => {
    expect(compareOutcome(result(id, was), result(id, now)).reproduced).toBe(reproduced);
  });

  it('says when the kernel booted here is another build', () => {
    const o = compareOutcome(result(id, 'fail', { sha256: 'a' }), result(id, 'pass', { sha256: 'b' }));
    expect(outcomeLine(o, 'exit 1')).toBe(
      `did not reproduce: ${id}: pass here, fail in CI (exit 1) (on another kernel build than CI: pin it in portmatrix.lock)`,
    );
  });
});

describe('portmatrix repro, bad input', () => {
  it('says a directory without results is not one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-repro-'));
    await writeFile(path.join(dir, 'matrix.yaml'), MATRIX);
    const r = await runCli(['repro', 'artifact'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no results in ${path.join(dir, 'artifact')}: neither results.json nor cells/ exists`);
  });
});
