// $GITHUB_STEP_SUMMARY: appended when set, never past GitHub's 1 MiB limit.

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendStepSummary } from '../../src/report/markdown.js';
import { STEP_SUMMARY_LIMIT } from '../../src/report/step-summary.js';

describe('appendStepSummary', () => {
  it('does nothing outside GitHub Actions', async () => {
    expect(await appendStepSummary({}, '# hi')).toBe('not-in-actions');
  });

  it('appends to the file, keeping what earlier steps wrote', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'pm-sum-')), 'summary');
    await writeFile(file, 'earlier step\n');
    expect(await appendStepSummary({ GITHUB_STEP_SUMMARY: file }, '## portmatrix')).toBe('written');
    expect(await readFile(file, 'utf8')).toBe('earlier step\n## portmatrix\n');
  });

  it('writes a short note instead of passing 1 MiB', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'pm-sum-')), 'summary');
    await writeFile(file, 'x'.repeat(STEP_SUMMARY_LIMIT - 1000));
    expect(await appendStepSummary({ GITHUB_STEP_SUMMARY: file }, 'é'.repeat(600))).toBe('too-large');
    const text = await readFile(file, 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(STEP_SUMMARY_LIMIT);
    expect(text).toContain('summary omitted');
  });
});
