// The HTML report's "program complexity across kernels": a table of bars, a row per
// BPF program, a column per kernel (grouped by arch), each bar the verifier's
// processed instructions as a share of the row's largest, so growth across kernels
// shows at a glance; the title says how near the verifier's limit it is. No script,
// no external style (the report's CSP allows inline style attributes). All guest
// text escaped.

import type { RunResults } from '../results/model.js';
import { type ComplexityCount, type ComplexityView, complexityView, VERIFIER_LIMIT } from './complexity-view.js';
import { escapeMarkup as esc, oneLine } from './text.js';

const UNKNOWN_TITLE = 'unknown: the kernel gives no verified_insns before 5.16, and the loader printed no verifier log';
const UNSEEN_TITLE = 'not seen: the test did not load it here, or loaded and unloaded it between two polls';

const thousands = (n: number) => n.toLocaleString('en-US');

function countCell(count: ComplexityCount | undefined, max: number): string {
  if (!count) return `<td class="insns none" title="${esc(UNSEEN_TITLE)}">—</td>`;
  if (count.insns === undefined) return `<td class="insns none" title="${esc(UNKNOWN_TITLE)}">unknown</td>`;
  const width = max > 0 ? Math.max(1, Math.round((count.insns / max) * 100)) : 0;
  const share = ((count.insns / VERIFIER_LIMIT) * 100).toFixed(count.insns < VERIFIER_LIMIT / 100 ? 2 : 1);
  const from = count.fromLog ? ", from the loader's verifier log" : '';
  const limit = `${share}% of the verifier's ${thousands(VERIFIER_LIMIT)} limit`;
  const title = `${thousands(count.insns)} instructions processed (${limit})${from}`;
  const mark = count.fromLog ? '<sup>log</sup>' : '';
  return `<td class="insns" title="${esc(title)}"><span class="n">${thousands(count.insns)}${mark}</span><span class="bar" style="width:${width}%"></span></td>`;
}

function head(view: ComplexityView): string {
  const groups: { arch: string; span: number }[] = [];
  for (const c of view.columns) {
    const last = groups.at(-1);
    if (last?.arch === c.arch) last.span++;
    else groups.push({ arch: c.arch, span: 1 });
  }
  const archRow = groups.map((g) => `<th scope="colgroup" colspan="${g.span}">${esc(g.arch)}</th>`).join('');
  const kernelRow = view.columns.map((c) => `<th scope="col" class="mono">${esc(oneLine(c.label, 120))}</th>`).join('');
  return `<thead><tr><th rowspan="2">test › program (type)</th>${archRow}</tr><tr>${kernelRow}</tr></thead>`;
}

/** The section, or nothing when no test recorded a program. */
export function complexitySection(results: RunResults): string {
  const view = complexityView(results);
  if (!view) return '';
  const rows = view.rows.map((r) => {
    const type = r.type ? ` <span class="muted">(${esc(oneLine(r.type, 40))})</span>` : '';
    const program = r.program ? esc(oneLine(r.program, 40)) : '(unnamed)';
    const name = `<th scope="row" class="mono">${esc(oneLine(r.test, 120))} › ${program}${type}</th>`;
    return `<tr>${name}${r.counts.map((c) => countCell(c, r.max)).join('')}</tr>`;
  });
  return `<h2>Program complexity across kernels</h2>
<p class="legend">Instructions the verifier processed per BPF program, per kernel (bpf_prog_info.verified_insns, 5.16+; <sup>log</sup>: from the loader's verifier log). Bars compare a program's kernels; the limit is ${thousands(VERIFIER_LIMIT)}. Programs a test loads and unloads within 5 ms may be missing.</p>
<table class="complexity">${head(view)}<tbody>
${rows.join('\n')}
</tbody></table>
`;
}
