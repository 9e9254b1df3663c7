// The bad-input corpus: every malformed matrix in test/fixtures/matrices/bad/
// fails through the real CLI with exactly one located line, exit 2, no stack.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../plan/helpers.js';

const dir = path.resolve(import.meta.dirname, '../fixtures/matrices/bad');
const expected = new Map(
  fs
    .readFileSync(path.join(dir, 'EXPECTED'), 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf(':')), line] as const),
);

describe('bad matrices', () => {
  it('has an expectation for every file and at least 35 files', () => {
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    expect(files.length).toBeGreaterThanOrEqual(35);
    expect([...expected.keys()].sort()).toEqual(files);
  });

  it.each([...expected])('%s', async (file, line) => {
    const run = await cli(['plan', '--matrix', file], dir);
    expect(run.stderr).toBe(`portmatrix: ${line}\n`);
    expect(run.stdout).toBe('');
    expect(run.code).toBe(2);
    expect(line).toMatch(new RegExp(`^${file.replace('.', '\\.')}:\\d+:\\d+: [^:]+: .+; .+$`));
  });

  it('names a missing matrix file without a location', async () => {
    const run = await cli(['plan', '--matrix', 'nope.yaml'], dir);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'portmatrix: nope.yaml: not found; write one with `portmatrix init` or pass --matrix <file>\n',
    });
  });
});
