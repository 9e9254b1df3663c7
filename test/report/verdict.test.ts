// The run's verdict, as every view words it: a flaky cell passes the run, and under
// --strict fails it; the terminal table, the HTML report, the Markdown summary (and
// the job summary made of it), JUnit and the PR comment must all say so, as the
// exit code does. Results without a recorded verdict claim neither.

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCommentBody } from '../../src/github/comment-body.js';
import { runVerdict, withVerdict } from '../../src/outcome/run-verdict.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJunit } from '../../src/report/junit.js';
import { appendStepSummary, renderMarkdown } from '../../src/report/markdown.js';
import { renderTable } from '../../src/report/terminal.js';
import type { RunResults } from '../../src/results/model.js';
import { results } from '../github/results.js';

const run = results([
  ['amd64/debian-bookworm/default', 'pass'],
  ['arm64/debian-bookworm/default', 'flaky', 'passed 1 of 2 runs; failed with: ringbuf event missing'],
  ['s390x/debian-bookworm/default', 'pass'],
]);

/** Every view of the results, as text. */
async function views(r: RunResults) {
  const summary = path.join(await mkdtemp(path.join(tmpdir(), 'pm-verdict-')), 'summary');
  await appendStepSummary({ GITHUB_STEP_SUMMARY: summary }, renderMarkdown(r));
  return {
    table: renderTable(r, { color: false, width: 120 }),
    html: renderHtml(r),
    markdown: renderMarkdown(r),
    jobSummary: await readFile(summary, 'utf8'),
    comment: buildCommentBody({ head: r, render: renderMarkdown }),
    junit: renderJunit(r),
  };
}

describe('a flaky cell', () => {
  it('under --strict: the exit code is 1 and every view says the run failed', async () => {
    const strict = withVerdict(run, { strict: true });
    expect(strict.verdict).toMatchObject({ exitCode: 1, ok: false, failed: ['arm64/debian-bookworm/default'] });
    const v = await views(strict);
    const words = '1 of 3 cells failed (1 flaky, which fails the run under --strict)';
    expect(v.table).toContain(`✗ ${words}\n`);
    expect(v.html).toContain(`<div class="verdict bad">✗ ${words}</div>`);
    expect(v.html).toContain('<title>portmatrix: 1 failed (3 cells)</title>');
    const heading = '## ❌ portmatrix: 1 of 3 cells failed \\(1 flaky, which fails the run under --strict\\)';
    for (const md of [v.markdown, v.jobSummary, v.comment]) expect(md).toContain(`${heading}\n`);
    expect(v.junit).toMatch(/<testsuites name="portmatrix" tests="3" failures="1" errors="0"/);
    expect(v.junit).toContain(
      '<failure message="failed, then passed on a fresh boot: passed 1 of 2 runs; failed with: ringbuf event missing (flaky, which fails the run under --strict)" type="flaky">',
    );
    for (const text of Object.values(v)) expect(text).not.toMatch(/as expected/);
  });

  it('without --strict: the exit code is 0 and every view says all cells ended as expected', async () => {
    const lenient = withVerdict(run);
    expect(lenient.verdict?.exitCode).toBe(0);
    const v = await views(lenient);
    expect(v.table).toContain('✓ all 3 cells as expected\n');
    expect(v.html).toContain('<div class="verdict ok">✓ all 3 cells as expected</div>');
    expect(v.html).toContain('<title>portmatrix: all as expected (3 cells)</title>');
    for (const md of [v.markdown, v.jobSummary, v.comment]) expect(md).toContain('## ✅ portmatrix: all 3 cells as expected\n');
    expect(v.junit).toMatch(/<testsuites name="portmatrix" tests="3" failures="0" errors="0"/);
    expect(v.junit).toContain('portmatrix: failed, then passed on a fresh boot: passed 1 of 2 runs');
  });
});

it('views word the recorded verdict, never their own count of the cells', async () => {
  // A verdict that disagrees with the cells' statuses shows that nothing recounts them.
  const recorded = {
    ...run,
    verdict: { ...runVerdict([]), exitCode: 3, ok: false, infra: ['s390x/debian-bookworm/default'] },
  };
  const v = await views(recorded);
  expect(v.table).toContain('⚠ 1 of 3 cells could not run (infrastructure)\n');
  expect(v.markdown.split('\n')[0]).toBe('## ⚠️ portmatrix: 1 of 3 cells could not run \\(infrastructure\\)');
  expect(v.html).toContain('<title>portmatrix: 1 infra (3 cells)</title>');
});

it('results without a recorded verdict (an older results.json) claim neither outcome', async () => {
  const v = await views({ ...run, verdict: undefined });
  expect(v.table).toContain('? 3 cells, verdict not recorded in these results\n');
  expect(v.markdown.split('\n')[0]).toBe('## ❔ portmatrix: 3 cells, verdict not recorded in these results');
  expect(v.html).toContain('<div class="verdict unknown">');
  for (const text of Object.values(v)) expect(text).not.toMatch(/as expected|cells failed/);
});
