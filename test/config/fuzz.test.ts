// Property: whatever matrix.yaml holds, `portmatrix plan` exits 0 with a plan or 2
// with one `file:line:col` line — never an internal error (70), a stack, a hang
// past a few seconds or a memory blow-up. Fixed seed and a bounded count here;
// `npm run fuzz` runs 10,000 (scripts/fuzz.ts).

import fs from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { matrixText } from '../helpers/fuzz-matrices.js';
import { type FuzzCounts, fuzzProject, planOne } from '../helpers/fuzz-run.js';

const dir = fuzzProject();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('generated matrices', () => {
  it('plan exits 0 with a plan or 2 with a located error, for 150 of them', async () => {
    const counts: FuzzCounts = { plan: 0, located: 0, bad: [], slowestMs: 0, maxRssMb: 0 };
    await fc.assert(
      fc.asyncProperty(matrixText, async (text) => (await planOne(dir, text, counts)) !== 'bad'),
      { seed: 20261206, numRuns: 150, endOnFailure: true },
    );
    expect(counts.bad).toEqual([]);
    // Both ways out are exercised: the generator is not stuck on one side.
    expect(counts.plan).toBeGreaterThan(3);
    expect(counts.located).toBeGreaterThan(75);
  }, 60_000);
});
