// Binary search for the boundary between good and bad outcomes over an ordered
// list of kernels (oldest first). Pure: it says which kernel to boot next from what
// is known; the command boots it. Outcomes are assumed monotone (one boundary), so
// the two ends decide the direction: bad…good is "passes from X on", good…bad is
// "broke at Y". A kernel whose cell could not decide (infra, skip) is left out, as
// `git bisect skip` does, and the boundary is reported around it.

export type Verdict = 'good' | 'bad' | 'undecided';

export type Answer =
  | { kind: 'probe'; index: number }
  | { kind: 'passes-from'; first: number; lastBad: number }
  | { kind: 'broke-at'; first: number; lastGood: number }
  | { kind: 'all'; verdict: 'good' | 'bad' }
  | { kind: 'undecidable'; why: string };

/** The next kernel to boot, or the answer once `known` settles it. */
export function nextStep(count: number, known: ReadonlyMap<number, Verdict>): Answer {
  if (count < 2) return { kind: 'undecidable', why: 'bisect needs at least two kernels' };
  // Usable positions: those not known to be undecided.
  const live = [...Array(count).keys()].filter((i) => known.get(i) !== 'undecided');
  if (live.length < 2) return { kind: 'undecidable', why: 'fewer than two kernels gave a result (infra or skip)' };
  const lo = live[0]!;
  const hi = live.at(-1)!;
  if (!known.has(lo)) return { kind: 'probe', index: lo };
  if (!known.has(hi)) return { kind: 'probe', index: hi };
  const start = known.get(lo)!;
  if (start === known.get(hi)) return { kind: 'all', verdict: start as 'good' | 'bad' };
  // Narrow to the closest pair of decided kernels with different verdicts.
  let left = lo;
  let right = hi;
  for (const i of live) {
    const v = known.get(i);
    if (v === start && i > left) left = i;
  }
  for (const i of [...live].reverse()) {
    const v = known.get(i);
    if (v !== undefined && v !== start && i < right && i > left) right = i;
  }
  const between = live.filter((i) => i > left && i < right);
  if (between.length === 0) {
    return start === 'bad' ? { kind: 'passes-from', first: right, lastBad: left } : { kind: 'broke-at', first: right, lastGood: left };
  }
  return { kind: 'probe', index: between[Math.floor((between.length - 1) / 2)]! };
}

/** The most boots a search over `count` kernels needs: both ends, then halving. */
export function maxBoots(count: number): number {
  return count <= 2 ? count : 2 + Math.ceil(Math.log2(count - 1));
}
