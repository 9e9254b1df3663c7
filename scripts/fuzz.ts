// `npm run fuzz`: 10,000 generated matrices (or FUZZ_RUNS) through `portmatrix plan`,
// each held to the invariant of test/config/fuzz.test.ts: exit 0 with a plan or 2
// with a located error, no crash, no hang, no memory blow-up. Prints the counts;
// exits 1 on the first matrix that breaks it, with that matrix shrunk.

import fs from 'node:fs';
import fc from 'fast-check';
import { matrixText } from '../test/helpers/fuzz-matrices.js';
import { type FuzzCounts, fuzzProject, planOne } from '../test/helpers/fuzz-run.js';

const runs = Number(process.env.FUZZ_RUNS ?? 10_000);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const dir = fuzzProject();
const counts: FuzzCounts = { plan: 0, located: 0, bad: [], slowestMs: 0, maxRssMb: 0 };
const started = Date.now();
const result = await fc.check(
  fc.asyncProperty(matrixText, async (text) => (await planOne(dir, text, counts)) !== 'bad'),
  { seed, numRuns: runs, endOnFailure: true },
);
fs.rmSync(dir, { recursive: true, force: true });
console.log(`fuzz: seed ${seed}, ${result.numRuns} matrices in ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`  exit 0 with a plan: ${counts.plan}`);
console.log(`  exit 2, located:    ${counts.located}`);
console.log(`  broke the invariant: ${result.failed ? 'yes' : 'none'}`);
console.log(`  slowest: ${Math.round(counts.slowestMs)} ms; largest rss: ${Math.round(counts.maxRssMb)} MB`);
if (result.failed) {
  const shrunk = result.counterexample?.[0];
  const bad = counts.bad.find((b) => b.text === shrunk) ?? counts.bad[0];
  console.log(`\nthe matrix (shrunk):\n${shrunk}\n\nwhat plan did: ${JSON.stringify(bad?.run, null, 2)}`);
}
process.exitCode = result.failed ? 1 : 0;
