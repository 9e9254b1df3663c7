// The builder's cells and results are the real shapes: a planned cell equals what its
// matrix expands to, and a run's results read back as written, verdict included.

import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandCells } from '../../src/plan/expand.js';
import { serializeResults } from '../../src/report/index.js';
import { readResults } from '../../src/results/read.js';
import { matrixFrom } from '../plan/helpers.js';
import { cell, cellResult, runResults } from './cells.js';

describe('the test builder', () => {
  it('builds the cell its matrix expands to', async () => {
    const yaml = 'kernels: [debian:trixie]\narches: [arm64]\ntests:\n  - {name: smoke, path: "loader-{arch}"}\n';
    const { matrix, dir } = await matrixFrom(yaml);
    const [planned] = expandCells(matrix);
    const tests = [{ name: 'smoke', path: path.join(dir, 'loader-arm64') }];
    expect(planned).toEqual(cell({ arch: 'arm64', kernel: { source: 'debian:trixie', line: 1 }, tests }));
  });

  it('builds results that read back as written, with the verdict run records', async () => {
    const failed = cellResult({ id: 'arm64/bookworm/lockdown', status: 'fail', reason: 'exited with code 1' });
    const results = runResults([failed, cellResult()], { strict: true });
    expect(results.cells.map((c) => [c.id, c.status, c.tests.map((t) => t.status)])).toEqual([
      ['amd64/debian-trixie/default', 'pass', ['pass']],
      ['arm64/bookworm/lockdown', 'fail', ['fail']],
    ]);
    const verdict = { exitCode: 1, strict: true, ok: false, failed: ['arm64/bookworm/lockdown'], infra: [] };
    expect(results.verdict).toEqual(verdict);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-builder-'));
    await writeFile(path.join(dir, 'results.json'), serializeResults(results));
    expect(await readResults(dir)).toEqual(results);
  });
});
