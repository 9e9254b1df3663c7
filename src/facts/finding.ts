// One thing a program needs that a kernel lacks, as `check` reports it, and the
// kernel names that look like what was asked for.

import { editDistance } from '../config/suggest.js';
import type { Finding } from '../results/check.js';

export type { Finding, FindingKind } from '../results/check.js';

/** Names of ids a kernel may lack, from every kernel checked (the newest knows the most). */
export interface IdNames {
  helpers: Map<number, string>;
  mapTypes: Map<number, string>;
}

/** Up to `max` of `names` that look like `want`: containing it or contained, or a few edits away. */
export function nearNames(want: string, names: Iterable<string>, max = 3): string[] {
  const scored: [number, string][] = [];
  const limit = Math.max(2, Math.floor(want.length / 3));
  for (const name of names) {
    if (name === want) continue;
    if (name.length >= 3 && (name.includes(want) || want.includes(name))) {
      scored.push([Math.abs(name.length - want.length) / 100, name]);
      continue;
    }
    if (Math.abs(name.length - want.length) > limit) continue;
    const d = editDistance(want, name);
    if (d <= limit) scored.push([d, name]);
  }
  return scored
    .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1))
    .slice(0, max)
    .map(([, n]) => n);
}

/** The program predicted to fail on the kernel when any finding says fail. */
export function predicted(findings: readonly Finding[]): 'pass' | 'fail' {
  return findings.some((f) => f.level === 'fail') ? 'fail' : 'pass';
}
