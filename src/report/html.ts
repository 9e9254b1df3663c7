// One self-contained HTML report: inline CSS, one inline script allowed by its
// hash in a strict CSP, no network, works from file://. Rendered on the server
// side (readable without JS); the script only filters and follows deep links.

import { createHash } from 'node:crypto';
import { rangeText } from '../results/kernel-range.js';
import type { CellResult, RunResults } from '../results/model.js';
import { cellView, shownStatus, tallyLegend } from './cell-view.js';
import { renderCell } from './html-cell.js';
import { renderChart } from './html-chart.js';
import { complexitySection } from './html-complexity.js';
import { kernelsSection } from './html-kernels.js';
import { REPORT_SCRIPT } from './html-script.js';
import { REPORT_STYLE } from './html-style.js';
import { escapeMarkup as esc, formatMs, oneLine } from './text.js';
import { verdictView } from './verdict-view.js';
import type { Counts } from './view.js';
import { buildGrid, countStatuses, kernelRanges, runNotes, sortByStatus } from './view.js';
import { STATUS_INFO, STATUS_ORDER, statusLegend } from './wording.js';

const SCRIPT_HASH = createHash('sha256').update(REPORT_SCRIPT).digest('base64');

/** CSP: nothing loads from anywhere; only our own inline script (by hash) runs. */
export const REPORT_CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'; img-src data:; base-uri 'none'; form-action 'none'`;

/**
 * JSON safe inside <script type="application/json">: `<` becomes \u003c so guest
 * text cannot close the element, and U+2028/2029 are escaped for old parsers.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** What the script needs per cell; ids cleaned exactly as the data-id attributes are. */
function scriptData(results: RunResults) {
  return {
    cells: results.cells.map((c) => ({
      id: oneLine(c.id, 1000),
      status: c.status,
      arch: c.arch,
      kernel: { name: c.kernel.name, release: c.kernel.release ?? null },
      config: c.config,
      libc: c.libc,
      reason: c.reason ?? null,
      timings: c.timings,
      // Names and statuses only: the test filter needs no output.
      tests: c.tests.map((t) => ({ name: oneLine(t.name, 200), status: shownStatus(c, t) })),
    })),
  };
}

function verdict(results: RunResults): string {
  const v = verdictView(results);
  return `<div class="verdict ${v.tone}">${v.mark} ${esc(v.headline)}</div>`;
}

function countButtons(counts: Counts): string {
  const buttons = STATUS_ORDER.map((s) => {
    const info = STATUS_INFO[s];
    return `<li><button type="button" class="count st-${s}${counts[s] ? '' : ' zero'}" data-filter-status="${s}" aria-pressed="false" title="show only ${esc(info.label)} cells"><span class="n" data-count="${s}">${counts[s]}</span><span class="l">${info.mark} ${esc(info.label)}</span></button></li>`;
  });
  return `<ul class="counts"><li><div class="count total"><span class="n" data-count="total">${counts.total}</span><span class="l">cells</span></div></li>${buttons.join('')}</ul>`;
}

function select(key: string, label: string, values: string[]): string {
  const options = values.map((v) => `<option value="${esc(v)}">${esc(v)}</option>`).join('');
  return `<label>${esc(label)} <select data-filter="${key}"><option value="">all</option>${options}</select></label>`;
}

/** The test filter, when some cell ran more than the one loader. */
function testSelect(results: RunResults): string {
  const names = [...new Set(results.cells.flatMap((c) => c.tests.map((t) => t.name)))];
  return names.length > 1 ? select('test', 'test', names) : '';
}

function filters(results: RunResults): string {
  const grid = buildGrid(results);
  const uniq = (pick: (c: CellResult) => string) => [...new Set(results.cells.map(pick))];
  const kernels = [...new Set(grid.rows.map((r) => r.kernel))];
  return `<div class="filters" role="search">${select('arch', 'arch', grid.arches)}${select('kernel', 'kernel', kernels)}${select('config', 'config', uniq((c) => c.config).sort())}${testSelect(results)}<button type="button" id="pm-clear" hidden>clear filters</button><span id="pm-shown"></span></div>`;
}

function gridTable(results: RunResults): string {
  const grid = buildGrid(results);
  const head = `<thead><tr><th></th>${grid.arches.map((a) => `<th scope="col">${esc(a)}</th>`).join('')}</tr></thead>`;
  let previous = '';
  const rows = grid.rows.map((row) => {
    const rest = row.key.split('/').slice(1);
    // The kernel's major.minor next to its name: what a portability reader scans for.
    const release = Object.values(row.cells)
      .map((c) => /^\d+\.\d+/.exec(c?.kernel.release ?? '')?.[0])
      .find(Boolean);
    const version = release ? ` <span class="v">${esc(release)}</span>` : '';
    const kernelCell = row.kernel === previous ? '' : `<span class="k">${esc(row.kernel)}</span>${version} · `;
    const group = row.kernel !== previous && previous !== '' ? ' class="group"' : '';
    previous = row.kernel;
    const cells = grid.arches.map((arch) => {
      const cell = row.cells[arch];
      if (!cell) return '<td class="empty" title="not in the matrix">—</td>';
      const view = cellView(cell);
      const id = oneLine(cell.id, 1000);
      const title = `${id}: ${view.label}${view.why ? ` — ${oneLine(view.why)}` : ''}`;
      const time = cell.status === 'skip' ? '' : formatMs(cell.timings.totalMs);
      return `<td data-id="${esc(id)}"><a class="st-${cell.status}" href="#cell=${esc(encodeURIComponent(id).replace(/%2F/g, '/'))}" data-cell-link="${esc(id)}" title="${esc(title)}"><span class="w">${view.mark} ${esc(view.tally || view.label)}</span><span class="t">${esc(time || ' ')}</span></a></td>`;
    });
    return `<tr data-row="${esc(row.key)}"${group}><th scope="row" class="row">${kernelCell}<span class="c">${esc(rest.join(' · ') || row.config)}</span></th>${cells.join('')}</tr>`;
  });
  const legend = statusLegend('mark')
    .map((l) => `<span>${esc(l)}</span>`)
    .join('');
  const tallies = tallyLegend(results.cells);
  const tally = tallies ? `\n<p class="legend">${esc(tallies)}</p>` : '';
  return `<table class="grid">${head}<tbody>${rows.join('')}</tbody></table>\n<p class="legend">${legend}</p>${tally}`;
}

function meta(results: RunResults): string {
  const items = [
    results.matrix && `matrix <code>${esc(results.matrix)}</code>`,
    `started ${esc(results.startedAt)}`,
    results.finishedAt ? `finished ${esc(results.finishedAt)}` : 'run did not finish',
    `portmatrix ${esc(results.tool.version)}`,
    results.host.arch !== 'unknown' ? `host ${esc(results.host.arch)}, ${results.host.cpus} CPUs` : '',
  ].filter(Boolean);
  return `<p class="meta">${items.map((i) => `<span>${i}</span>`).join('')}</p>`;
}

/** Oldest … newest kernel passed per arch × config; nothing for a one-kernel matrix. */
function rangeTable(results: RunResults): string {
  const ranges = kernelRanges(results);
  if (!ranges.length) return '';
  const rows = ranges.map((r) => `<tr><td class="mono">${esc(r.key)}</td><td>${esc(rangeText(r))}</td></tr>`).join('\n');
  return `<h2>Passes on kernels</h2>\n<table class="ranges"><thead><tr><th>arch / config</th><th>oldest … newest kernel passed</th></tr></thead>\n<tbody>\n${rows}\n</tbody></table>\n`;
}

/** The run's notes (view.ts), one paragraph each, or nothing. */
function notesHtml(results: RunResults): string {
  return runNotes(results)
    .map((n) => `<p class="note">${esc(n)}</p>\n`)
    .join('');
}

export function renderHtml(results: RunResults): string {
  const counts = countStatuses(results.cells);
  const ordered = sortByStatus(results.cells);
  const indexOf = new Map(ordered.map((c, i) => [c.id, i]));
  const title = `portmatrix: ${verdictView(results).short} (${counts.total} cells)`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(REPORT_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<main>
<h1>portmatrix report</h1>
${meta(results)}
${verdict(results)}
${notesHtml(results)}${countButtons(counts)}
${filters(results)}
<h2>Matrix</h2>
${gridTable(results)}
${rangeTable(results)}${kernelsSection(results)}${complexitySection(results)}<h2>Boot and loader time</h2>
${renderChart(results)}
<h2>Cells <small class="legend">(failures first)</small></h2>
${ordered.map((c) => renderCell(c, indexOf.get(c.id)!)).join('\n')}
<footer>Generated by portmatrix ${esc(results.tool.version)} from results.json (schema ${results.schemaVersion}).</footer>
</main>
<script type="application/json" id="pm-data">${scriptJson(scriptData(results))}</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}
