// What bisect prints: one line per kernel it looked at, then the answer with the
// evidence cells (the last bad and first good, or the reverse), each with its reason.

import type { CellResult } from '../results/model.js';
import type { Answer, Verdict } from './search.js';

export function verdictOf(r: CellResult): Verdict {
  if (r.status === 'pass' || r.status === 'xpass') return 'good';
  if (r.status === 'fail' || r.status === 'xfail') return 'bad';
  return 'undecided';
}

const kernelLabel = (r: CellResult) => `${r.kernel.name}${r.kernel.release ? ` (${r.kernel.release})` : ''}`;
const evidence = (r: CellResult) => `  ${r.status.padEnd(5)} ${r.id}${r.reason ? `: ${r.reason}` : ''}`;

/** `[2/4] booted debian-bookworm (6.1.0-…): pass` or `cached`. */
export function stepLine(r: CellResult, cached: boolean, n: number, total: number): string {
  return `[${n}/${total}] ${cached ? 'cached' : 'booted'} ${kernelLabel(r)}: ${r.status}${r.reason ? ` (${r.reason})` : ''}`;
}

export function answerText(a: Answer, kernels: string[], at: (i: number) => CellResult | undefined): string {
  switch (a.kind) {
    case 'passes-from':
      return [`passes from ${kernels[a.first]} on`, evidence(at(a.lastBad)!), evidence(at(a.first)!)].join('\n');
    case 'broke-at':
      return [`broke at ${kernels[a.first]}`, evidence(at(a.lastGood)!), evidence(at(a.first)!)].join('\n');
    case 'all':
      return `no boundary: ${a.verdict === 'good' ? 'passes' : 'fails'} on ${kernels[0]} and on ${kernels.at(-1)} (outcomes are taken to change at most once)`;
    case 'undecidable':
      return `no answer: ${a.why}`;
    case 'probe':
      return `unfinished: ${kernels[a.index]} still to boot`;
  }
}
