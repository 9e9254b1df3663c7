// The body of the sticky PR comment. Pure: results in, Markdown out.
//
//   <!-- portmatrix:comment[:id] -->   hidden marker that finds the comment again
//   regressions / fixes / infra against the base branch (only with a base)
//   the Markdown summary (report/markdown.ts, failures first)
//   a link to the HTML report artifact
//
// GitHub rejects comment bodies over 65,536 characters: the summary renderer gets
// the room left after the marker and the diff, and drops whole items to fit it.

import { UsageError } from '../errors.js';
import { cellView } from '../report/cell-view.js';
import { mdInline } from '../report/markdown.js';
import { FLAKY_MEANING, INFRA_MEANING, STATUS_INFO } from '../report/wording.js';
import type { RunResults, Status } from '../results/model.js';
import { type CellChange, diffResults, hasChanges, type ResultsDiff } from './diff.js';

/** GitHub's limit on an issue comment body, in characters. */
export const MAX_COMMENT_CHARS = 65_536;
/** Rows per diff table before "and N more". */
const MAX_DIFF_ROWS = 50;

export type MarkdownRenderer = (results: RunResults, opts: { limit?: number; reportUrl?: string; title?: string }) => string;

export interface CommentBodyInput {
  head: RunResults;
  base?: RunResults;
  reportUrl?: string;
  /** Distinguishes several portmatrix comments on one PR (one per matrix). */
  id?: string;
  title?: string;
  render: MarkdownRenderer;
  /** Default MAX_COMMENT_CHARS; smaller in tests. */
  maxChars?: number;
}

/** The hidden marker; `id` may hold letters, digits, `.`, `_` and `-` only. */
export function commentMarker(id?: string): string {
  if (id === undefined || id === '') return '<!-- portmatrix:comment -->';
  if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new UsageError(`--id "${id}" may only contain letters, digits, ".", "_" and "-"`);
  return `<!-- portmatrix:comment:${id} -->`;
}

/** A cell id inside backticks: ids come from matrix.yaml, backticks would end the span. */
const code = (id: string) => `\`${id.replace(/`/g, '')}\``;

const mark = (s: Status) => `${STATUS_INFO[s].emoji} ${s}`;

function changeTable(rows: CellChange[]): string[] {
  const lines = ['| cell | base | this PR | reason |', '|---|---|---|---|'];
  for (const r of rows.slice(0, MAX_DIFF_ROWS)) {
    const why = mdInline(perTest(r) ?? cellView(r.cell).why, 200);
    lines.push(`| ${code(r.id)} | ${mark(r.base)} | ${mark(r.head)} | ${why} |`);
  }
  if (rows.length > MAX_DIFF_ROWS) lines.push(`\n…and ${rows.length - MAX_DIFF_ROWS} more (see the report).`);
  return lines;
}

/** `suite: pass → fail; smoke: fail → pass` for a cell of several tests whose tests changed. */
function perTest(r: CellChange): string | undefined {
  if (r.cell.tests.length < 2 || r.tests.length === 0) return undefined;
  const word = (s: Status | undefined) => s ?? 'absent';
  return r.tests.map((t) => `${t.name}: ${word(t.base)} → ${word(t.head)}`).join('; ');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The "against the base branch" section; regressions first. */
export function renderDiff(diff: ResultsDiff): string {
  if (!hasChanges(diff)) return '**No changes against the base branch.**\n';
  const out: string[] = [];
  if (diff.regressed.length > 0) {
    out.push(`### ❌ ${plural(diff.regressed.length, 'regression')} against the base branch`, '', ...changeTable(diff.regressed), '');
  }
  if (diff.infra.length > 0) {
    out.push(`### ${STATUS_INFO.infra.emoji} ${plural(diff.infra.length, 'cell')} ${INFRA_MEANING}, so cannot be compared`, '', ...changeTable(diff.infra), '');
  }
  if (diff.flaky.length > 0) {
    const heading = `### ${STATUS_INFO.flaky.emoji} ${plural(diff.flaky.length, 'cell')} flaky (${FLAKY_MEANING})`;
    out.push(heading, '', ...changeTable(diff.flaky), '');
  }
  if (diff.fixed.length > 0) out.push(`### ✅ ${plural(diff.fixed.length, 'cell')} fixed`, '', ...changeTable(diff.fixed), '');
  const idList = (cells: { id: string }[]) =>
    cells
      .slice(0, MAX_DIFF_ROWS)
      .map((c) => code(c.id))
      .join(', ') + (cells.length > MAX_DIFF_ROWS ? `, …${cells.length - MAX_DIFF_ROWS} more` : '');
  if (diff.added.length > 0) out.push(`New cells: ${idList(diff.added)}`, '');
  if (diff.removed.length > 0) out.push(`Removed cells: ${idList(diff.removed)}`, '');
  if (diff.changed.length > 0) {
    out.push('<details><summary>Other status changes</summary>', '', ...changeTable(diff.changed), '', '</details>', '');
  }
  return out.join('\n');
}

/** Builds the whole body; the summary gets whatever room the marker and the diff leave. */
export function buildCommentBody(input: CommentBodyInput): string {
  const max = input.maxChars ?? MAX_COMMENT_CHARS;
  const head = [commentMarker(input.id), ''];
  if (input.base) head.push(renderDiff(diffResults(input.base, input.head)));
  const top = head.join('\n');
  // The renderer links the report itself when it has room; else we add the link.
  const footer = input.reportUrl ? `\n📄 [Full HTML report](${input.reportUrl.replace(/[()\s]/g, encodeURIComponent)})\n` : '';
  const room = max - top.length - 1 - footer.length;
  const summary = input.render(input.head, {
    reportUrl: input.reportUrl,
    title: input.title,
    limit: Math.max(0, room),
  });
  const linked = input.reportUrl !== undefined && summary.includes(`(${input.reportUrl.replace(/[()\s]/g, encodeURIComponent)})`);
  // Guard against a renderer that overshoots: never send more than GitHub accepts.
  return `${top}\n${summary}${linked ? '' : footer}`.slice(0, max);
}
