import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { globSync } from '../../src/plan/glob.js';
import { project } from './helpers.js';

describe('globSync', () => {
  const dir = project({ 'a/x.o': '', 'a/y.o': '', 'a/.h.o': '', 'a/z.c': '', 'a/b/c/deep.o': '', 'a/q1.o': '', 'a/q22.o': '' });
  const rel = (pattern: string) => globSync(path.join(dir, pattern)).map((p) => path.relative(dir, p));

  it('matches * and ? within a segment, skipping hidden files, sorted', () => {
    expect(rel('a/*.o')).toEqual(['a/q1.o', 'a/q22.o', 'a/x.o', 'a/y.o']);
    expect(rel('a/q?.o')).toEqual(['a/q1.o']);
    expect(rel('a/.*.o')).toEqual(['a/.h.o']);
  });

  it('matches [classes] and ** at any depth', () => {
    expect(rel('a/[xz].*')).toEqual(['a/x.o', 'a/z.c']);
    expect(rel('**/deep.o')).toEqual(['a/b/c/deep.o']);
    expect(rel('a/**/*.c')).toEqual(['a/z.c']);
  });

  it('returns nothing for no match and the path itself without glob characters', () => {
    expect(rel('nope/*.o')).toEqual([]);
    expect(globSync('/no/such/file')).toEqual(['/no/such/file']);
  });
});
