// Matrix text shown escaped, one line, long values cut: the terminal acts on none of it.

import { describe, expect, it } from 'vitest';
import { cut, escapeControls, oneLine, safeMessage } from '../../src/core/sanitize.js';

describe('sanitize', () => {
  it.each([
    ['\x1b]0;pwned\x07', '\\x1b]0;pwned\\x07'],
    ['\x1b[2J', '\\x1b[2J'],
    ['a\x7fb\x00c', 'a\\x7fb\\x00c'],
    ['line1\nline2\r\tx', 'line1\\nline2\\r\\tx'],
    ['\u202egnp.exe', '\\u202egnp.exe'],
    ['\u2066iso\u2069', '\\u2066iso\\u2069'],
    ['\x9b31m', '\\x9b31m'],
    ['lone \ud800 surrogate', 'lone \\ud800 surrogate'],
    ['ok 🙂 pair', 'ok 🙂 pair'],
  ])('escapes %j', (input, shown) => {
    expect(escapeControls(input)).toBe(shown);
  });

  it('keeps newlines when asked, for multi-line messages', () => {
    expect(escapeControls('a\nb\x1b[2J', true)).toBe('a\nb\\x1b[2J');
  });

  it('cuts long values, naming their size, without splitting a surrogate pair', () => {
    expect(cut('x'.repeat(1_000_000), 10)).toBe('xxxxxxxxxx… (1000000 bytes)');
    expect(cut('abcdefghi🙂', 10)).toBe('abcdefghi… (13 bytes)');
    expect(oneLine('short')).toBe('short');
  });

  it('cuts each quoted value of a message and keeps the rest', () => {
    const value = JSON.stringify('v'.repeat(5000));
    expect(safeMessage(`${value} is not valid; use one of a, b`)).toBe(`"${'v'.repeat(120)}…" (5000 bytes) is not valid; use one of a, b`);
  });
});
