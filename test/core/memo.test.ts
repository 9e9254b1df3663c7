import { describe, expect, it } from 'vitest';
import { memoize } from '../../src/core/memo.js';

describe('memoize', () => {
  it('computes once per key and shares the promise', async () => {
    let calls = 0;
    const double = memoize(async (n: number) => (calls++, n * 2));
    const [a, b, c] = await Promise.all([double(2), double(2), double(3)]);
    expect([a, b, c, calls]).toEqual([4, 4, 6, 2]);
  });

  it('keys by keyOf, and remembers a failure unless told to retry', async () => {
    let calls = 0;
    const fail = async () => {
      calls++;
      throw new Error('no');
    };
    const sticky = memoize((_k: { id: string }) => fail(), { keyOf: (k) => k.id });
    await expect(sticky({ id: 'a' })).rejects.toThrow('no');
    await expect(sticky({ id: 'a' })).rejects.toThrow('no');
    expect(calls).toBe(1);
    const retrying = memoize((_k: string) => fail(), { retryFailures: true });
    await expect(retrying('a')).rejects.toThrow('no');
    await expect(retrying('a')).rejects.toThrow('no');
    expect(calls).toBe(3);
  });

  it('forgets everything on clear()', async () => {
    let calls = 0;
    const f = memoize(async (_k: string) => ++calls);
    await f('x');
    f.clear();
    expect(await f('x')).toBe(2);
  });
});
