import { describe, expect, it } from 'vitest';
import { buildCommentBody, commentMarker, MAX_COMMENT_CHARS } from '../../src/github/comment-body.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { results } from './results.js';

const base = results([
  ['amd64/debian-6.1/default', 'pass'],
  ['arm64/debian-6.1/default', 'pass'],
  ['s390x/debian-6.1/default', 'fail', 'no BTF'],
]);
const head = results([
  ['amd64/debian-6.1/default', 'pass'],
  ['arm64/debian-6.1/default', 'fail', 'verifier rejection | <script>'],
  ['s390x/debian-6.1/default', 'pass'],
]);

describe('buildCommentBody', () => {
  it('starts with the marker, then the regression, then the summary', () => {
    const body = buildCommentBody({
      head,
      base,
      render: renderMarkdown,
      reportUrl: 'https://github.com/o/r/actions/runs/1',
    });
    const lines = body.split('\n');
    expect(lines[0]).toBe('<!-- portmatrix:comment -->');
    const regression = body.indexOf('### ❌ 1 regression against the base branch');
    const fixed = body.indexOf('### ✅ 1 cell fixed');
    const summary = body.indexOf(renderMarkdown(head).split('\n')[0]!);
    expect(regression).toBeGreaterThan(0);
    expect(regression).toBeLessThan(fixed);
    expect(fixed).toBeLessThan(summary);
    expect(body).toContain('| `arm64/debian-6.1/default` | ✅ pass | ❌ fail |');
    // Guest-provided reasons cannot break the table or inject HTML.
    expect(body).not.toContain('<script>');
    expect(body).toContain('https://github.com/o/r/actions/runs/1');
  });

  it('separates new failures, fixed and flaky cells', () => {
    const flakyHead = results([
      ['amd64/debian-6.1/default', 'flaky', 'passed 1 of 2 runs; failed with: loader exited with code 1'],
      ['arm64/debian-6.1/default', 'fail', 'verifier rejection'],
      ['s390x/debian-6.1/default', 'pass'],
    ]);
    const body = buildCommentBody({ head: flakyHead, base, render: renderMarkdown });
    const regression = body.indexOf('### ❌ 1 regression against the base branch');
    const flaky = body.indexOf('### 🔁 1 cell flaky (failed, then passed on a fresh boot)');
    const fixed = body.indexOf('### ✅ 1 cell fixed');
    expect(regression).toBeGreaterThan(0);
    expect(flaky).toBeGreaterThan(regression);
    expect(fixed).toBeGreaterThan(flaky);
    expect(body).toContain('| `amd64/debian-6.1/default` | ✅ pass | 🔁 flaky |');
  });

  it('says so when nothing changed, and omits the diff without a base', () => {
    expect(buildCommentBody({ head, base: head, render: renderMarkdown })).toContain('No changes against the base branch');
    expect(buildCommentBody({ head, render: renderMarkdown })).not.toContain('base branch');
  });

  it('supports a marker id for several matrices in one PR', () => {
    expect(buildCommentBody({ head, id: 'arm-only', render: renderMarkdown }).startsWith('<!-- portmatrix:comment:arm-only -->')).toBe(true);
    expect(() => commentMarker('x -->')).toThrow(/may only contain/);
  });

  it('stays under GitHub’s 65,536-character limit for a huge failing matrix', () => {
    const many = (status: 'pass' | 'fail') =>
      results(Array.from({ length: 3000 }, (_, i) => [`amd64/k${i}/default`, status, `reason ${i} ${'x'.repeat(100)}`] as [string, 'pass' | 'fail', string]));
    const huge = many('fail');
    for (const c of huge.cells) c.stdout = 'y'.repeat(5000);
    const body = buildCommentBody({
      head: huge,
      base: many('pass'),
      render: renderMarkdown,
      reportUrl: 'https://example.test/r',
    });
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(body.startsWith('<!-- portmatrix:comment -->')).toBe(true);
    expect(body).toContain('### ❌ 3000 regressions against the base branch');
    expect(body).toContain('https://example.test/r');
  });
});
