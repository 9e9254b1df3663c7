// The final matrix table `run` and `report` print: rows kernel × config, columns
// arch, a counts line, then the cells that need attention with their reasons.
// Guest text is stripped of escapes and control bytes before it reaches a terminal.

import { BTF_LEGEND, btfTag } from '../results/btf.js';
import type { RunResults, Status } from '../results/model.js';
import { oneLine } from './text.js';
import { rangeText } from '../results/kernel-range.js';
import { STATUS_INFO, buildGrid, countStatuses, countsLine, kernelRanges, problemCells } from './view.js';

export interface TableOptions {
  /** Emit ANSI colours (the caller decides: TTY, NO_COLOR, FORCE_COLOR). */
  color: boolean;
  /** Terminal columns; long reason lines are cut to fit. Default 100. */
  width?: number;
}

const SGR: Record<Status, string> = {
  pass: '32', // green
  fail: '1;31', // bold red
  xpass: '1;35', // bold magenta
  infra: '1;33', // bold yellow
  xfail: '36', // cyan
  skip: '2', // dim
  flaky: '1;34', // bold blue
};

/** Short word per status for the grid; upper case marks what breaks the run. */
const WORD: Record<Status, string> = { pass: 'pass', fail: 'FAIL', xpass: 'XPASS', infra: 'INFRA', xfail: 'xfail', skip: 'skip', flaky: 'FLAKY' };

function paint(text: string, status: Status | 'bold' | 'dim', color: boolean): string {
  if (!color) return text;
  const code = status === 'bold' ? '1' : status === 'dim' ? '2' : SGR[status];
  return `\x1b[${code}m${text}\x1b[0m`;
}

// Padding is computed on plain text, then colour is wrapped around it.
function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - [...text].length));
}

function cut(text: string, width: number): string {
  const chars = [...text];
  return chars.length > width ? `${chars.slice(0, Math.max(1, width - 1)).join('')}…` : text;
}

/** Wraps at ", " boundaries so the counts line fits narrow terminals. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const part of text.split(/(?<=, )/)) {
    if (line && [...line, ...part].length > width) {
      out.push(line.trimEnd());
      line = '  ';
    }
    line += part;
  }
  return [...out, line];
}

export function renderTable(results: RunResults, opts: TableOptions): string {
  const width = Math.max(40, opts.width ?? 100);
  const grid = buildGrid(results);
  const labels = grid.rows.map((row) => oneLine(row.key.split('/').join(' · '), 60));
  const first = Math.max('kernel · config'.length, ...labels.map((l) => [...l].length));
  const tagged = results.cells.some((c) => btfTag(c.btf));
  const col = Math.max(tagged ? 15 : 10, ...grid.arches.map((a) => a.length + 1));

  const lines: string[] = [];
  lines.push(paint(pad('kernel · config', first + 2) + grid.arches.map((a) => pad(a, col)).join('').trimEnd(), 'bold', opts.color));
  grid.rows.forEach((row, i) => {
    const marks = grid.arches.map((arch) => {
      const cell = row.cells[arch];
      if (!cell) return pad('', col);
      const tag = btfTag(cell.btf);
      const text = pad(`${STATUS_INFO[cell.status].mark} ${WORD[cell.status]}${tag ? ` ${tag}` : ''}`, col);
      return paint(text, cell.status, opts.color);
    });
    lines.push(`${pad(labels[i]!, first + 2)}${marks.join('')}`.trimEnd());
  });

  const counts = countStatuses(results.cells);
  lines.push('', ...wrap(countsLine(counts), width));
  if (tagged) lines.push(...wrap(BTF_LEGEND, width));

  const ranges = kernelRanges(results);
  if (ranges.length) {
    lines.push('', paint('Passes on kernels:', 'bold', opts.color));
    const keyWidth = Math.max(...ranges.map((r) => r.key.length));
    for (const r of ranges) lines.push(cut(`  ${pad(oneLine(r.key, 80), keyWidth)}  ${oneLine(rangeText(r), 200)}`, width));
  }

  const problems = problemCells(results);
  if (problems.length) {
    lines.push('', paint('Needs attention:', 'bold', opts.color));
    const idWidth = Math.min(48, Math.max(...problems.map((c) => c.id.length)));
    for (const cell of problems) {
      const info = STATUS_INFO[cell.status];
      const why = cell.status === 'xpass' ? `expected to fail (${oneLine(cell.expected?.reason)}) but passed` : oneLine(cell.reason ?? info.label, 500);
      const head = `  ${info.mark} ${pad(oneLine(cell.id, 80), idWidth)}  `;
      lines.push(paint(head, cell.status, opts.color) + cut(why, Math.max(10, width - [...head].length)));
    }
  }
  return `${lines.join('\n')}\n`;
}
