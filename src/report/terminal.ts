// The final matrix table `run` and `report` print: rows kernel × config, columns
// arch, a counts line, then the cells that need attention with their reasons.
// Guest text is stripped of escapes and control bytes before it reaches a terminal.

import { BTF_LEGEND, btfTag } from '../results/btf.js';
import { rangeText } from '../results/kernel-range.js';
import type { CellResult, RunResults, Status } from '../results/model.js';
import { cellView, tallyLegend } from './cell-view.js';
import { oneLine } from './text.js';
import { verdictView } from './verdict-view.js';
import { buildGrid, countStatuses, countsLine, kernelRanges, problemCells, reusedNote, snapshotNote } from './view.js';

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

const TONE = { ok: 'pass', bad: 'fail', infra: 'infra', unknown: 'bold' } as const;

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

/** `✓ pass`, or a cell of several tests' tally (`✓ 2/3 +1 xfail`), then its BTF tag. */
function mark(cell: CellResult): string {
  const tag = btfTag(cell.btf);
  const view = cellView(cell);
  return `${view.mark} ${view.word}${tag ? ` ${tag}` : ''}`;
}

/** One line per test that made a cell of several tests what it is, under the cell's line. */
function testLines(cell: CellResult, width: number): string[] {
  return cellView(cell).tests.map((t) => cut(`      ${t.mark} ${oneLine(t.name, 60)}: ${oneLine(t.why, 500)}`, width));
}

/** The cells that need attention, each with its why and the tests behind it. */
function problemLines(results: RunResults, width: number, color: boolean): string[] {
  const problems = problemCells(results);
  if (!problems.length) return [];
  const lines = ['', paint('Needs attention:', 'bold', color)];
  const idWidth = Math.min(48, Math.max(...problems.map((c) => c.id.length)));
  for (const cell of problems) {
    const view = cellView(cell);
    const head = `  ${view.mark} ${pad(oneLine(cell.id, 80), idWidth)}  `;
    const why = cut(oneLine(view.why, 500), Math.max(10, width - [...head].length));
    lines.push(paint(head, cell.status, color) + why, ...testLines(cell, width));
  }
  return lines;
}

export function renderTable(results: RunResults, opts: TableOptions): string {
  const width = Math.max(40, opts.width ?? 100);
  const grid = buildGrid(results);
  const labels = grid.rows.map((row) => oneLine(row.key.split('/').join(' · '), 60));
  const first = Math.max('kernel · config'.length, ...labels.map((l) => [...l].length));
  const tagged = results.cells.some((c) => btfTag(c.btf));
  const col = Math.max(tagged ? 15 : 10, ...grid.arches.map((a) => a.length + 1), ...results.cells.map((c) => [...mark(c)].length + 2));

  const lines: string[] = [];
  lines.push(
    paint(
      pad('kernel · config', first + 2) +
        grid.arches
          .map((a) => pad(a, col))
          .join('')
          .trimEnd(),
      'bold',
      opts.color,
    ),
  );
  grid.rows.forEach((row, i) => {
    const marks = grid.arches.map((arch) => {
      const cell = row.cells[arch];
      if (!cell) return pad('', col);
      const text = pad(mark(cell), col);
      return paint(text, cell.status, opts.color);
    });
    lines.push(`${pad(labels[i]!, first + 2)}${marks.join('')}`.trimEnd());
  });

  const verdict = verdictView(results);
  lines.push('', paint(cut(`${verdict.mark} ${verdict.headline}`, width), TONE[verdict.tone], opts.color));
  lines.push(...wrap(countsLine(countStatuses(results.cells)), width));
  const legend = tallyLegend(results.cells);
  if (legend) lines.push(...wrap(legend, width));
  if (tagged) lines.push(...wrap(BTF_LEGEND, width));

  const ranges = kernelRanges(results);
  if (ranges.length) {
    lines.push('', paint('Passes on kernels:', 'bold', opts.color));
    const keyWidth = Math.max(...ranges.map((r) => r.key.length));
    for (const r of ranges) lines.push(cut(`  ${pad(oneLine(r.key, 80), keyWidth)}  ${oneLine(rangeText(r), 200)}`, width));
  }

  for (const note of [snapshotNote(results.cells), reusedNote(results.cells)]) if (note) lines.push(...wrap(note, width));

  lines.push(...problemLines(results, width, opts.color));
  return `${lines.join('\n')}\n`;
}
