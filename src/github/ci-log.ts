// A run-event subscriber for GitHub Actions logs (docs/architecture.md): each cell that
// did not end as expected gets a collapsible group holding its output, fenced
// against workflow commands, and an annotation on matrix.yaml (capped at 10).
// Wire it in when GITHUB_ACTIONS=true; the plain CI log stays the progress view's.

import { cleanText } from '../core/plain-text.js';
import type { RunEvent, RunListener } from '../events/run-events.js';
import { cellView } from '../report/cell-view.js';
import { formatMs, lastLines, oneLine } from '../report/text.js';
import type { CellResult } from '../results/model.js';
import { type AnnotationLevel, Annotations, fenceGuestOutput, groupEnd, groupStart } from './log.js';

export interface GithubLogOptions {
  write: (text: string) => void;
  /** matrix.yaml relative to the workspace, so annotations land on the kernel's line. */
  matrixFile?: string;
  /** Console lines shown per cell; default 60 (the HTML report has all). */
  lines?: number;
}

const LEVEL: Partial<Record<CellResult['status'], AnnotationLevel>> = {
  fail: 'error',
  xpass: 'error',
  infra: 'warning',
};

function why(r: CellResult): string {
  return oneLine(cellView(r).why) || r.status;
}

/** Output worth reading for a bad cell: the loader's, else the console tail. */
function output(r: CellResult, lines: number): string {
  const parts = [
    r.stdout && `--- loader stdout ---\n${r.stdout}`,
    r.stderr && `--- loader stderr ---\n${r.stderr}`,
    r.consoleTail && `--- console (last lines) ---\n${r.consoleTail}`,
  ].filter(Boolean);
  return lastLines(cleanText(parts.join('\n')), lines);
}

export function githubLog(opts: GithubLogOptions): RunListener & { finish(): void } {
  const annotations = new Annotations();
  const lines = opts.lines ?? 60;
  const listener = (event: RunEvent) => {
    if (event.type !== 'result') return;
    const r = event.result;
    const level = LEVEL[r.status];
    if (!level) return;
    const title = `${r.status} ${r.id}: ${why(r)} (${formatMs(r.timings.totalMs)})`;
    opts.write(groupStart(title) + fenceGuestOutput(output(r, lines)) + groupEnd());
    opts.write(
      annotations.add(level, `${r.id}: ${why(r)}`, {
        title: `portmatrix ${r.status}`,
        file: opts.matrixFile,
        line: opts.matrixFile ? event.cell.kernel.line : undefined,
      }),
    );
  };
  return Object.assign(listener, { finish: () => opts.write(annotations.summary()) });
}
