// The Markdown summary: a GitHub pull-request comment and the job's step summary.
// Heading with counts, the matrix table, failures first with their output, then
// expected failures. Fits a size limit by dropping whole items, never by cutting
// inside a fence or a <details> block.

import { cleanText } from '../core/plain-text.js';
import { BTF_LEGEND, btfTag, describeBtf } from '../results/btf.js';
import { describeCredentials } from '../results/credentials.js';
import { rangeText } from '../results/kernel-range.js';
import type { CellResult, RunResults } from '../results/model.js';
import { cellView, tallyLegend } from './cell-view.js';
import { testGrid } from './test-grid.js';
import { escapeMarkup, formatMs, lastLines, oneLine } from './text.js';
import { verdictView } from './verdict-view.js';
import { buildGrid, type Counts, countStatuses, kernelRanges, problemCells, runNotes, sortByStatus } from './view.js';
import {
  NOT_RUN_MARK,
  reusedText,
  STATUS_INFO,
  STATUS_ORDER,
  statusLegend,
  TEST_GRID_TITLE,
  testGridCount,
  testGridHeading,
  testGridLeftOut,
} from './wording.js';

export { appendStepSummary } from './step-summary.js';

export interface MarkdownOptions {
  /** Maximum length in UTF-16 code units. Default: GitHub's 65536-char comment limit minus room for a comment header. */
  limit?: number;
  /** Link to the full HTML report (e.g. the workflow run's artifact). */
  reportUrl?: string;
  title?: string;
}

export const DEFAULT_MARKDOWN_LIMIT = 65536 - 4096;
/** Lines of output shown per failed cell; the HTML report has everything. */
const OUTPUT_LINES = 40;
const OUTPUT_CHARS = 4000;

/**
 * Inline guest or user text: one line, HTML specials as entities, Markdown
 * punctuation backslash-escaped (so `|` cannot split a table cell and `*`/`[`
 * cannot format), `@` defused so guest text cannot mention people.
 */
export function mdInline(text: string | undefined, max = 300): string {
  // Backslashes first: the entities added afterwards contain `#` and must stay intact.
  const escaped = oneLine(text, max).replace(/[\\`*_{}[\]()#+!|~]/g, (c) => `\\${c}`);
  return escapeMarkup(escaped).replace(/@/g, '&#64;');
}

/** A fenced block that no backtick run in the text can close. */
export function fence(text: string, info = 'text'): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(Math.max(3, longest + 1));
  return `${ticks}${info}\n${text}\n${ticks}`;
}

function heading(results: RunResults, counts: Counts, title: string): string {
  const verdict = verdictView(results);
  const tally = STATUS_ORDER.filter((s) => counts[s] > 0)
    .map((s) => `${STATUS_INFO[s].emoji} ${counts[s]} ${STATUS_INFO[s].label}`)
    .join(' · ');
  return `## ${verdict.emoji} ${mdInline(title)}: ${mdInline(verdict.headline)}\n\n${tally || 'no cells'}`;
}

function table(results: RunResults): string[] {
  const grid = buildGrid(results);
  const head = `| kernel · config | ${grid.arches.join(' | ')} |`;
  const rule = `|---|${grid.arches.map(() => ':-:').join('|')}|`;
  const rows = grid.rows.map((row) => {
    const marks = grid.arches.map((arch) => {
      const cell = row.cells[arch];
      if (!cell) return ' ';
      const view = cellView(cell);
      return [view.emoji, view.tally, btfTag(cell.btf)].filter(Boolean).join(' ');
    });
    return `| ${mdInline(row.key.split('/').join(' · '))} | ${marks.join(' | ')} |`;
  });
  return [head, rule, ...rows];
}

/** The status legend, then what a tally means when some cell has several tests. */
function legends(results: RunResults): string {
  const lines = [statusLegend('emoji').join(' · ')];
  const tally = tallyLegend(results.cells);
  if (tally) lines.push(mdInline(tally));
  if (results.cells.some((c) => btfTag(c.btf))) lines.push(mdInline(BTF_LEGEND));
  return lines.map((l) => `<sub>${l}</sub>\n`).join('\n');
}

/**
 * The kernel configuration facts that explain why one config differs from another,
 * shown only when they are not the usual ones (root with all capabilities, JIT on,
 * no lockdown, BTF present, no rt preemption).
 */
function configFacts(cell: CellResult): (string | undefined)[] {
  const g = cell.guest ?? {};
  const cred = describeCredentials(g);
  return [
    cred && cred !== 'uid 0, all capabilities' ? cred : undefined,
    g.lockdown && g.lockdown !== 'none' ? `lockdown ${g.lockdown}` : undefined,
    g.jitEnabled === '0' ? 'BPF JIT off' : undefined,
    cell.btf && cell.btf.source !== 'kernel' ? `BTF ${describeBtf(cell.btf)}` : g.btfPresent === false ? 'no kernel BTF' : undefined,
    cell.kernel.facts?.preempt === 'rt' ? 'PREEMPT_RT' : undefined,
  ];
}

function cellFacts(cell: CellResult): string {
  return [
    ...configFacts(cell),
    cell.exitCode !== undefined ? `exit ${cell.exitCode}` : undefined,
    cell.timedOut ? 'timed out' : undefined,
    cell.bootFailed ? 'boot failed' : undefined,
    formatMs(cell.timings.totalMs),
    cell.kernel.release,
    cell.accel,
    cell.boot === 'snapshot' ? 'restored from a snapshot' : undefined,
    cell.reused ? reusedText(cell.reused) : undefined,
  ]
    .filter(Boolean)
    .join(', ');
}

/** What a reader needs to see of a problem cell: the end of its output, stderr last. */
function outputOf(cell: CellResult): { label: string; text: string } {
  const stdout = cleanText(cell.stdout).trimEnd();
  const stderr = cleanText(cell.stderr).trimEnd();
  let label = 'loader output';
  let text = [stdout, stderr && stdout ? `--- stderr ---\n${stderr}` : stderr].filter(Boolean).join('\n');
  // No loader output (infra, or a loader that never started): the console tells why.
  if (cell.status === 'infra' || !text) {
    label = 'console tail';
    text = cleanText(cell.consoleTail).trimEnd();
  }
  text = lastLines(text, OUTPUT_LINES);
  if (text.length > OUTPUT_CHARS) text = `…${text.slice(text.length - OUTPUT_CHARS)}`;
  return { label, text };
}

/** A cell's line: its status, id, tally and why, then the tests behind it (hard breaks keep them in the paragraph). */
function cellLine(cell: CellResult): string {
  const view = cellView(cell);
  const tally = view.tally ? ` (tests: ${view.tally})` : '';
  const tests = view.tests.map((t) => `<br>\n${t.emoji} \`${t.name.replace(/`/g, '')}\`: ${mdInline(t.why)}`).join('');
  return `${view.emoji} **${view.label}** \`${cell.id.replace(/`/g, '')}\`${tally}: ${mdInline(view.why)}${tests}`;
}

/** One failed cell; `full` = with its output in a <details> block. */
function problemItem(cell: CellResult, full: boolean): string {
  // Paragraphs, not list items: a fence at column 0 would end a list item early.
  const line = cellLine(cell);
  if (!full) return `${line}\n`;
  const output = outputOf(cell);
  if (!output.text.trim()) return `${line}\n`;
  // A blank line after <summary> lets GitHub render the fence as Markdown.
  const summary = escapeMarkup(`${output.label} (${cellFacts(cell)})`);
  return `${line}\n\n<details><summary>${summary}</summary>\n\n${fence(output.text)}\n\n</details>\n`;
}

function xfailItem(cell: CellResult): string {
  return `- ${cellLine(cell)}`;
}

interface Section {
  title: string;
  items: { full: string; short: string }[];
}

/** Heading, table and legend; a table too big for half the limit keeps the rows that fit. */
function head(results: RunResults, title: string, limit: number, note: (n: number) => string): string {
  const counts = countStatuses(results.cells);
  const tableLines = table(results);
  const legend = legends(results);
  const top = heading(results, counts, title);
  const whole = `${top}\n\n${tableLines.join('\n')}\n\n${legend}`;
  if (whole.length <= limit / 2) return whole;
  const kept: string[] = [];
  let size = top.length + legend.length;
  for (const line of tableLines) {
    if (size + line.length + 1 > limit / 2) break;
    kept.push(line);
    size += line.length + 1;
  }
  return `${top}\n\n${kept.join('\n')}\n${note(tableLines.length - kept.length)}\n${legend}`;
}

/** Appends whole items while they fit (the full form, else the one-line form); counts the rest. */
function appendSections(out: string, sections: Section[], limit: number, reserve: number): { out: string; dropped: number } {
  let dropped = 0;
  for (const section of sections) {
    if (!section.items.length) continue;
    const title = `\n${section.title}\n\n`;
    if (dropped || out.length + title.length + reserve > limit) {
      dropped += section.items.length;
      continue;
    }
    out += title;
    for (const item of section.items) {
      const text = [item.full, item.short].find((t) => out.length + t.length + 1 + reserve <= limit);
      if (dropped || text === undefined) {
        dropped += 1;
        continue;
      }
      out += `${text}\n`;
    }
  }
  return { out, dropped };
}

/** Oldest … newest kernel passed per arch × config; nothing for a one-kernel matrix. */
function rangesTable(results: RunResults): string {
  const ranges = kernelRanges(results);
  if (!ranges.length) return '';
  const rows = ranges.map((r) => `| \`${r.key.replace(/`/g, '')}\` | ${mdInline(rangeText(r))} |`);
  return `\n**Passes on kernels**\n\n| arch / config | oldest … newest kernel passed |\n|---|---|\n${rows.join('\n')}\n`;
}

/** Which test did not pass where, for a run of several tests: rows tests, columns the cells where one did not pass. */
function testsSection(results: RunResults): Section {
  const grid = testGrid(results, { tests: 30, cells: 10 });
  if (!grid) return { title: '', items: [] };
  const code = (text: string) => `\`${oneLine(text, 200).replace(/[`|]/g, '')}\``;
  const head = `| test | ${grid.columns.map(code).join(' | ')} | |`;
  const rule = `|---|${grid.columns.map(() => ':-:').join('|')}|---|`;
  const rows = grid.rows.map((r) => {
    const marks = r.statuses.map((s) => (s ? STATUS_INFO[s].emoji : NOT_RUN_MARK));
    return `| ${code(r.name)} | ${marks.join(' | ')} | ${testGridCount(r.failed, r.ran)} |`;
  });
  const leftOut = testGridLeftOut(grid.hiddenTests, grid.hiddenCells);
  const note = `<sub>${NOT_RUN_MARK} not run${leftOut ? `; ${mdInline(leftOut)}` : ''}</sub>\n`;
  const heading = mdInline(testGridHeading(grid.rows.length + grid.hiddenTests, grid.total));
  // One item, kept or dropped whole: a table cut short would hide which tests it left out.
  const table = `${heading}\n\n${[head, rule, ...rows].join('\n')}\n\n${note}`;
  return { title: `### ${TEST_GRID_TITLE}`, items: [{ full: table, short: table }] };
}

export function renderMarkdown(results: RunResults, opts: MarkdownOptions = {}): string {
  const limit = opts.limit ?? DEFAULT_MARKDOWN_LIMIT;
  const link = opts.reportUrl ? `[the full HTML report](${opts.reportUrl.replace(/[()\s]/g, encodeURIComponent)})` : 'the HTML report (report.html)';
  const note = (n: number) => `\n_… ${n} more ${n === 1 ? 'item' : 'items'} not shown; see ${link}._\n`;
  const xfails = sortByStatus(results.cells.filter((c) => c.status === 'xfail'));
  const sections: Section[] = [
    {
      title: '### Failures',
      items: problemCells(results).map((c) => ({ full: problemItem(c, true), short: problemItem(c, false) })),
    },
    testsSection(results),
    { title: '### Expected failures', items: xfails.map((c) => ({ full: xfailItem(c), short: xfailItem(c) })) },
  ];
  const notes = runNotes(results)
    .map((n) => `\n_${mdInline(n)}_\n`)
    .join('');
  const start = head(results, opts.title ?? 'portmatrix', limit, note) + notes + rangesTable(results);
  const { out, dropped } = appendSections(start, sections, limit, note(999_999).length + 1);
  if (dropped) return out + note(dropped);
  return opts.reportUrl ? `${out}\nFull report: ${link}\n` : out;
}
