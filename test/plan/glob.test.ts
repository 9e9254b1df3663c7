import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { glob } from '../../src/plan/glob.js';
import { project } from './helpers.js';

describe('glob', () => {
  const dir = project({
    'a/x.o': '',
    'a/y.o': '',
    'a/.h.o': '',
    'a/z.c': '',
    'a/b/c/deep.o': '',
    'a/q1.o': '',
    'a/q22.o': '',
  });
  const rel = async (pattern: string) => (await glob(path.join(dir, pattern))).map((p) => path.relative(dir, p));

  it('matches * and ? within a segment, skipping hidden files, sorted', async () => {
    expect(await rel('a/*.o')).toEqual(['a/q1.o', 'a/q22.o', 'a/x.o', 'a/y.o']);
    expect(await rel('a/q?.o')).toEqual(['a/q1.o']);
    expect(await rel('a/.*.o')).toEqual(['a/.h.o']);
  });

  it('matches [classes] and ** at any depth', async () => {
    expect(await rel('a/[xz].*')).toEqual(['a/x.o', 'a/z.c']);
    expect(await rel('**/deep.o')).toEqual(['a/b/c/deep.o']);
    expect(await rel('a/**/*.c')).toEqual(['a/z.c']);
  });

  it('returns nothing for no match and the path itself without glob characters', async () => {
    expect(await rel('nope/*.o')).toEqual([]);
    expect(await glob('/no/such/file')).toEqual(['/no/such/file']);
  });
});
