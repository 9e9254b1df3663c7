import { describe, expect, it } from 'vitest';
import { type Answer, maxBoots, nextStep, type Verdict } from '../../src/bisect/search.js';

/** Run the search against a fixed truth; returns the answer and the kernels booted, in order. */
function bisect(truth: Verdict[]): { answer: Answer; booted: number[] } {
  const known = new Map<number, Verdict>();
  const booted: number[] = [];
  for (;;) {
    const step = nextStep(truth.length, known);
    if (step.kind !== 'probe') return { answer: step, booted };
    expect(known.has(step.index)).toBe(false);
    booted.push(step.index);
    known.set(step.index, truth[step.index]!);
  }
}

const B = 'bad';
const G = 'good';
const U = 'undecided';

describe('bisect search', () => {
  it('bullseye bad, bookworm/trixie/sid good: bookworm in 3 boots', () => {
    expect(bisect([B, G, G, G])).toEqual({ answer: { kind: 'passes-from', first: 1, lastBad: 0 }, booted: [0, 3, 1] });
  });

  it('finds every boundary in both directions within maxBoots', () => {
    for (let n = 2; n <= 33; n++) {
      for (let k = 1; k < n; k++) {
        const up = bisect(Array.from({ length: n }, (_, i): Verdict => (i < k ? B : G)));
        expect(up.answer).toEqual({ kind: 'passes-from', first: k, lastBad: k - 1 });
        expect(up.booted.length).toBeLessThanOrEqual(maxBoots(n));
        const down = bisect(Array.from({ length: n }, (_, i): Verdict => (i < k ? G : B)));
        expect(down.answer).toEqual({ kind: 'broke-at', first: k, lastGood: k - 1 });
      }
    }
    expect(maxBoots(4)).toBe(4);
    expect(maxBoots(17)).toBe(6);
  });

  it('reuses what is already known: nothing to boot when the cache settles it', () => {
    const known = new Map<number, Verdict>([
      [0, B],
      [1, G],
      [3, G],
    ]);
    expect(nextStep(4, known)).toEqual({ kind: 'passes-from', first: 1, lastBad: 0 });
  });

  it('skips kernels that could not decide, and says when nothing can', () => {
    expect(bisect([B, U, G, G]).answer).toEqual({ kind: 'passes-from', first: 2, lastBad: 0 });
    expect(bisect([U, B, G]).answer).toEqual({ kind: 'passes-from', first: 2, lastBad: 1 });
    expect(bisect([G, G, G]).answer).toEqual({ kind: 'all', verdict: 'good' });
    expect(bisect([U, U, G]).answer.kind).toBe('undecidable');
  });
});
