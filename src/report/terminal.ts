// The final matrix table `run` and `report` print: rows kernel × config, columns
// arch, a counts line, then the cells that need attention with their reasons.
// Guest text is stripped of escapes and control bytes before it reaches a terminal.

import { BTF_LEGEND, btfTag } from '../results/btf.js';
import { rangeText } from '../results/kernel-range.js';
import type { CellResult, RunResults, Status } from '../results/model.js';
import { cellView, tallyLegend } from './cell-view.js';
import { testGrid } from './test-grid.js';
import { oneLine } from './text.js';
import { verdictView } from './verdict-view.js';
import { buildGrid, countStatuses, countsLine, kernelRanges, problemCells, runNotes } from './view.js';
import { NOT_RUN_MARK, STATUS_INFO, STATUS_ORDER, TEST_GRID_TITLE, testGridCount, testGridHeading, testGridLeftOut } from './wording.js';

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

/** The mark of a test in one cell of the test × cell view, coloured as its status. */
function testMark(status: Status | undefined, color: boolean): string {
  return status ? paint(pad(STATUS_INFO[status].mark, 3), status, color) : pad(NOT_RUN_MARK, 3);
}

/** Which test did not pass where (several tests only): numbered cell columns, the ids under them. */
function testGridLines(results: RunResults, width: number, color: boolean): string[] {
  const names = [...new Set(results.cells.flatMap((c) => c.tests.map((t) => oneLine(t.name, 30))))];
  const nameWidth = Math.max(4, ...names.map((n) => [...n].length));
  // Each column is 3 wide; the row's count takes about 26.
  const fit = Math.floor((width - nameWidth - 30) / 3);
  const grid = testGrid(results, { tests: 15, cells: Math.min(12, fit) });
  if (!grid) return [];
  const head = `  ${pad('test', nameWidth)}  ${grid.columns.map((_, i) => pad(String(i + 1), 3)).join('')}`;
  const rows = grid.rows.map((r) => {
    const marks = r.statuses.map((s) => testMark(s, color)).join('');
    return `  ${pad(oneLine(r.name, 30), nameWidth)}  ${marks}${testGridCount(r.failed, r.ran)}`;
  });
  const used = STATUS_ORDER.filter((s) => grid.rows.some((r) => r.statuses.includes(s)));
  const legend = [...used.map((s) => `${STATUS_INFO[s].mark} ${STATUS_INFO[s].label}`), `${NOT_RUN_MARK} not run`];
  const key = grid.columns.map((id, i) => cut(`  ${pad(String(i + 1), 3)}${oneLine(id, 200)}`, width));
  const leftOut = testGridLeftOut(grid.hiddenTests, grid.hiddenCells);
  const title = `${TEST_GRID_TITLE}: ${testGridHeading(grid.rows.length + grid.hiddenTests, grid.total)}`;
  const notes = [...wrap(`  ${legend.join(', ')}`, width), ...(leftOut ? wrap(`  ${leftOut}`, width) : [])];
  return ['', paint(cut(title, width), 'bold', color), head.trimEnd(), ...rows, ...key, ...notes];
}

/** Rows kernel · config, a column per arch, each cell's mark and word. */
function gridLines(results: RunResults, color: boolean): string[] {
  const grid = buildGrid(results);
  const labels = grid.rows.map((row) => oneLine(row.key.split('/').join(' · '), 60));
  const first = Math.max('kernel · config'.length, ...labels.map((l) => [...l].length));
  const tagged = results.cells.some((c) => btfTag(c.btf));
  const marks = results.cells.map((c) => [...mark(c)].length + 2);
  const col = Math.max(tagged ? 15 : 10, ...grid.arches.map((a) => a.length + 1), ...marks);
  const head = pad('kernel · config', first + 2) + grid.arches.map((a) => pad(a, col)).join('');
  const rows = grid.rows.map((row, i) => {
    const cells = grid.arches.map((arch) => {
      const cell = row.cells[arch];
      return cell ? paint(pad(mark(cell), col), cell.status, color) : pad('', col);
    });
    return `${pad(labels[i]!, first + 2)}${cells.join('')}`.trimEnd();
  });
  return [paint(head.trimEnd(), 'bold', color), ...rows];
}

/** The verdict, the counts and the legends the grid uses. */
function summaryLines(results: RunResults, width: number, color: boolean): string[] {
  const verdict = verdictView(results);
  const lines = ['', paint(cut(`${verdict.mark} ${verdict.headline}`, width), TONE[verdict.tone], color)];
  lines.push(...wrap(countsLine(countStatuses(results.cells)), width));
  const legend = tallyLegend(results.cells);
  if (legend) lines.push(...wrap(legend, width));
  if (results.cells.some((c) => btfTag(c.btf))) lines.push(...wrap(BTF_LEGEND, width));
  return lines;
}

/** Oldest … newest kernel passed per arch × config; nothing for one kernel. */
function rangeLines(results: RunResults, width: number, color: boolean): string[] {
  const ranges = kernelRanges(results);
  if (!ranges.length) return [];
  const keyWidth = Math.max(...ranges.map((r) => r.key.length));
  const lines = ranges.map((r) => cut(`  ${pad(oneLine(r.key, 80), keyWidth)}  ${oneLine(rangeText(r), 200)}`, width));
  return ['', paint('Passes on kernels:', 'bold', color), ...lines];
}

export function renderTable(results: RunResults, opts: TableOptions): string {
  const width = Math.max(40, opts.width ?? 100);
  const lines = [...gridLines(results, opts.color), ...summaryLines(results, width, opts.color)];
  lines.push(...rangeLines(results, width, opts.color));
  for (const note of runNotes(results)) lines.push(...wrap(note, width));
  lines.push(...testGridLines(results, width, opts.color));
  lines.push(...problemLines(results, width, opts.color));
  return `${lines.join('\n')}\n`;
}
