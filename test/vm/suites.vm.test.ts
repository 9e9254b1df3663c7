// Every Debian suite portmatrix supports, booted for real once (TCG, arm64: the
// cheapest arch to boot): bullseye 5.10, bookworm 6.1, trixie 6.12 and sid 7.x, each
// the exact kernel pinned in test/fixtures/kernels.lock. Retries are off.

import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readLock } from '../../src/images/lockfile.js';
import type { RunResults } from '../../src/results/model.js';
import { runCli } from '../helpers/cli.js';
import { TEST_LOCK, useTestLock } from '../helpers/dev-kernels.js';

const SUITES = ['bullseye', 'bookworm', 'trixie', 'sid'];

describe('one boot of every Debian suite, pinned by the test lock', () => {
  let run: Awaited<ReturnType<typeof runCli>>;
  let results: RunResults;

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-suites-'));
    await useTestLock(dir);
    await writeFile(
      path.join(dir, 'matrix.yaml'),
      `kernels: [${SUITES.map((s) => `debian:${s}`).join(', ')}]\narches: [arm64]\nloader:\n  path: ./loader.sh\n  timeout: 30\n`,
    );
    await writeFile(path.join(dir, 'loader.sh'), '#!/bin/sh\necho "release=$(uname -r)"\n');
    await chmod(path.join(dir, 'loader.sh'), 0o755);
    run = await runCli(['run', '--accel', 'tcg', '--retries', '0', '--jobs', '1'], { cwd: dir });
    results = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
  }, 900_000);

  it('boots each suite once and runs the loader there', async () => {
    expect(run.code, run.stderr).toBe(0);
    const lock = await readLock(TEST_LOCK);
    for (const suite of SUITES) {
      const cell = results.cells.find((c) => c.kernel.source === `debian:${suite}`)!;
      const locked = lock.kernels[`debian:${suite} arm64`]!;
      expect(cell.status, cell.consoleTail).toBe('pass');
      expect(cell.attempts).toBe(1);
      expect(cell.kernel.release).toBe(locked.release);
      expect(cell.stdout).toContain(`release=${locked.release}`);
    }
  });
});
