import { describe, expect, it } from 'vitest';
import { Annotations, annotation, escapeData, escapeProperty, fenceGuestOutput, groupEnd, groupStart } from '../../src/github/log.js';

describe('escaping (same rules as @actions/core)', () => {
  it('escapes %, CR and LF in data, plus : and , in properties', () => {
    expect(escapeData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext');
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
  });

  it('formats annotations with escaped properties and message', () => {
    expect(annotation('error', 'cell failed\n::error::x', { file: 'matrix.yaml', line: 3, col: 5, title: 'a,b' })).toBe(
      '::error file=matrix.yaml,line=3,col=5,title=a%2Cb::cell failed%0A::error::x\n',
    );
    expect(annotation('notice', 'hi')).toBe('::notice::hi\n');
  });

  it('escapes group titles so a title cannot start another command', () => {
    expect(groupStart('amd64/6.1\n::error::x')).toBe('::group::amd64/6.1%0A::error::x\n');
    expect(groupEnd()).toBe('::endgroup::\n');
  });
});

describe('fenceGuestOutput', () => {
  const guest = 'booting\n::error::pwned\r::add-mask::x\n  ::warning::indented\n::set-output name=a::b';

  it('keeps every command-looking guest line between the stop-commands markers', () => {
    const out = groupStart('guest console') + fenceGuestOutput(guest) + groupEnd();
    // The runner splits on CR as well as LF.
    const lines = out.split(/\r\n|\r|\n/);
    const start = lines.findIndex((l) => l.startsWith('::stop-commands::'));
    const token = lines[start]!.slice('::stop-commands::'.length);
    expect(token).toMatch(/^portmatrix-[0-9a-f]{32}$/);
    const end = lines.indexOf(`::${token}::`);
    expect(end).toBeGreaterThan(start);
    const inside = lines.slice(start + 1, end);
    expect(inside).toContain('::error::pwned');
    expect(inside).toContain('::add-mask::x');
    const outside = [...lines.slice(0, start + 1), ...lines.slice(end)].filter((l) => l.startsWith('::'));
    expect(outside).toEqual(['::group::guest console', `::stop-commands::${token}`, `::${token}::`, '::endgroup::']);
  });

  it('never uses a token the guest text contains', () => {
    const out = fenceGuestOutput('x\n::abc::\n', 'abc');
    expect(out.startsWith('::stop-commands::abc\n')).toBe(false);
    expect(out.split('\n').at(-2)).toMatch(/^::portmatrix-[0-9a-f]{32}::$/);
  });

  it('uses a fresh token each call', () => {
    expect(fenceGuestOutput('a').split('\n')[0]).not.toBe(fenceGuestOutput('a').split('\n')[0]);
  });
});

describe('Annotations', () => {
  it('emits the first 10 and then says how many were dropped', () => {
    const a = new Annotations();
    const lines = Array.from({ length: 13 }, (_, i) => a.add('error', `cell ${i}`));
    expect(lines.filter(Boolean)).toHaveLength(10);
    expect(lines.slice(10)).toEqual(['', '', '']);
    expect(a.summary()).toBe('::notice::3 more annotation(s) not shown (limit 10); see the portmatrix report\n');
  });

  it('has no summary when nothing was dropped', () => {
    const a = new Annotations(2);
    a.add('warning', 'x');
    expect(a.summary()).toBe('');
  });
});
