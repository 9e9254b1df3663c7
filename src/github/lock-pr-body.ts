// The body of the scheduled pull request that moves portmatrix.lock to newer kernels:
// first whether the newer builds broke a cell that passed (against the base branch's
// results), then the lock lines that moved, then the comment's diff and summary.

import { cellView } from '../report/cell-view.js';
import { renderMarkdown } from '../report/markdown.js';
import { verdictView } from '../report/verdict-view.js';
import type { CellResult, RunResults } from '../results/model.js';
import { buildCommentBody, MAX_COMMENT_CHARS } from './comment-body.js';
import { diffResults } from './diff.js';

export interface LockPrInput {
  /** `lock --check`'s lines: `kernel debian:trixie amd64: … → …`. */
  changes: string[];
  /** The matrix run on the newer lock. */
  head: RunResults;
  /** The base branch's last results, when there are any. */
  base?: RunResults;
  reportUrl?: string;
}

const cellLine = (c: CellResult) => `- \`${c.id}\`: ${cellView(c).why || cellView(c).label}`;

/** The top line: the cells the newer builds broke, or that none broke. */
function verdictTop(input: LockPrInput): string {
  const broke = input.base ? diffResults(input.base, input.head).regressed.map((r) => r.cell) : [];
  if (broke.length) {
    const n = broke.length === 1 ? '1 cell' : `${broke.length} cells`;
    return [`## ❌ The newer builds broke ${n} that passed before`, '', ...broke.map(cellLine)].join('\n');
  }
  const v = verdictView(input.head);
  const against = input.base ? ', and no cell that passed before fails' : '';
  return `## ${v.emoji} On the newer builds: ${v.headline}${against}`;
}

export function lockPrBody(input: LockPrInput): string {
  const lines = input.changes.length ? input.changes : ['(no lock line moved)'];
  const lock = ['### portmatrix.lock', '', '```', ...lines, '```', ''].join('\n');
  const top = `${verdictTop(input)}\n\n${lock}`;
  const rest = buildCommentBody({
    head: input.head,
    base: input.base,
    id: 'kernels',
    reportUrl: input.reportUrl,
    render: renderMarkdown,
    maxChars: MAX_COMMENT_CHARS - top.length - 1,
  });
  return `${top}\n${rest}`;
}
