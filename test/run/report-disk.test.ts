// The reports cannot be written (a full or broken results disk) after every cell was
// kept: a located infrastructure error that says the cells are kept and how to go on
// (exit 3), never an internal error (exit 70).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InfraError } from '../../src/errors.js';
import { reportRun } from '../../src/views/run-views.js';
import { fixtureResults } from '../report/fixture.js';

describe('reportRun on a results directory it cannot write', () => {
  it('throws an InfraError naming the directory and --resume', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-report-disk-'));
    // A file where the results directory should be: every write fails, as a full disk's do.
    const resultsDir = path.join(dir, 'results');
    fs.writeFileSync(resultsDir, '');
    const ctx = {
      cwd: dir,
      env: {},
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      signal: new AbortController().signal,
    };
    const end = {
      model: fixtureResults(),
      reporters: ['json' as const],
      resultsDir,
      resultsDirOption: 'results',
      unfinished: [],
    };
    const error = await reportRun(ctx, end).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfraError);
    expect((error as InfraError).exitCode).toBe(3);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^cannot write the reports to ${resultsDir}: .*EEXIST.*; every finished cell is kept in ${resultsDir}/cells: make room and run again with --resume$`,
      ),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
