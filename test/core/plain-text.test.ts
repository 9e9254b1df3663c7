// The one sanitiser for guest text: escapes (CSI, OSC, 2-byte ESC, 8-bit CSI)
// and control bytes (C0, DEL, C1) never reach a terminal, a log or a report.

import { describe, expect, it } from 'vitest';
import { cleanText, plainText, stripEscapes } from '../../src/core/plain-text.js';

describe('stripEscapes', () => {
  it('removes CSI sequences: colours, cursor moves, erase', () => {
    expect(stripEscapes('a\x1b[31;1mred\x1b[0m b\x1b[2Jc\x1b[?25ld')).toBe('ared bcd');
  });
  it('removes a whole OSC sequence, its text too, ended by BEL or by ST', () => {
    expect(stripEscapes('x\x1b]0;evil title\x07y')).toBe('xy');
    expect(stripEscapes('x\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\y')).toBe('xlinky');
  });
  it('removes an unterminated OSC to the end, and the 8-bit CSI', () => {
    expect(stripEscapes('ok\x1b]2;never ended')).toBe('ok');
    expect(stripEscapes('a\u009b31mb')).toBe('ab');
  });
});

describe('plainText', () => {
  it('drops C0 but tab and newline, DEL and C1, so a line cannot rewrite the terminal', () => {
    expect(plainText('a\x00b\x07c\rd\te\nf\x7fg\u0085h\u009di')).toBe('abcd\te\nfghi');
  });
  it('leaves an OSC title nowhere in the text (the old progress stripper kept it)', () => {
    expect(plainText('boot\x1b]0;pwned\x07 ok')).toBe('boot ok');
  });
});

describe('cleanText', () => {
  it('turns \\r\\n and lone \\r into \\n and drops lone surrogates', () => {
    expect(cleanText('a\r\nb\rc\ud800d')).toBe('a\nb\ncd');
    expect(cleanText(undefined)).toBe('');
    // A right-to-left override would reorder what a reviewer reads in a report.
    expect(cleanText('pass\u202eliaf')).toBe('pass\\u202eliaf');
  });
});
