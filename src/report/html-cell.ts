// One cell's expandable section in the HTML report: outcome, reason, timings,
// kernel and guest facts, and every captured output. All text goes through
// escapeMarkup(cleanText(...)): guest output can only ever appear as text.

import { cleanText } from '../core/plain-text.js';
import { describeBtf } from '../results/btf.js';
import { describeCredentials } from '../results/credentials.js';
import type { CaseResult, CellResult, TestResult } from '../results/model.js';
import { type CellView, cellView, tallyLegend, testView } from './cell-view.js';
import { testKernelDetail } from './html-kernels.js';
import { escapeMarkup, formatMs, oneLine } from './text.js';
import { reusedText, STATUS_INFO } from './wording.js';

const one = (text: string | undefined, max = 300) => escapeMarkup(oneLine(text, max));

const yesNo = (v: boolean | undefined) => (v === undefined ? undefined : v ? 'yes' : 'no');

export function badge(cell: CellResult): string {
  const info = STATUS_INFO[cell.status];
  return `<span class="badge st-${cell.status}">${info.mark} ${escapeMarkup(info.label)}</span>`;
}

function facts(cell: CellResult): [string, string | undefined][] {
  const k = cell.kernel;
  const f = k.facts ?? {};
  const g = cell.guest ?? {};
  return [
    ['arch', cell.arch],
    ['kernel', `${k.name} (${k.source})`],
    ['release', k.release],
    ['package', k.package && `${k.package}${k.version ? ` ${k.version}` : ''}`],
    ['config', cell.config],
    ['libc', cell.libc],
    ['accel', cell.accel],
    ['backend', cell.backend],
    ['reused', cell.reused && reusedText(cell.reused)],
    ['guest start', cell.boot === 'snapshot' ? "restored from its boot's snapshot (KASLR shared)" : cell.boot],
    ['qemu', cell.qemuVersion],
    ['boot', formatMs(cell.timings.bootMs)],
    ['loader', formatMs(cell.timings.loaderMs)],
    ['total', formatMs(cell.timings.totalMs)],
    ['exit code', cell.exitCode?.toString()],
    ['timed out', cell.timedOut ? 'yes' : undefined],
    ['boot failed', cell.bootFailed ? 'yes' : undefined],
    ['attempts', cell.attempts > 1 ? String(cell.attempts) : undefined],
    ['BTF (config)', yesNo(f.btf)],
    ['BTF (guest)', yesNo(g.btfPresent)],
    ['BTF used', cell.btf && `${describeBtf(cell.btf)}, btf: ${cell.btf.mode}`],
    ['HZ', f.hz?.toString()],
    ['BPF JIT', [yesNo(f.bpfJit), g.jitEnabled !== undefined ? `bpf_jit_enable=${g.jitEnabled}` : undefined].filter(Boolean).join(', ') || undefined],
    ['preemption', f.preempt],
    ['kprobes', yesNo(f.kprobes)],
    ['BPF LSM', yesNo(f.bpfLsm)],
    ['lockdown', [f.lockdownLsm === undefined ? undefined : `LSM ${yesNo(f.lockdownLsm)}`, g.lockdown].filter(Boolean).join(', ') || undefined],
    ['loader ran as', describeCredentials(g)],
    ['CapEff', g.capEff],
    ['uname -r', g.unameR],
    ['kernel sha256', k.sha256 && `${k.sha256.slice(0, 16)}…`],
    ['inputs', cell.inputsHash && `${cell.inputsHash.slice(0, 16)}…`],
    ['started', cell.startedAt],
  ];
}

function output(title: string, text: string): string {
  const clean = cleanText(text);
  const body = clean.trim() ? `<pre>${escapeMarkup(clean)}</pre>` : '<pre class="empty">(empty)</pre>';
  return `<h3>${escapeMarkup(title)}</h3>\n${body}`;
}

/** The cell's why in full, then its notes (reused, retried attempts). */
function reasonBlock(cell: CellResult, view: CellView): string {
  const lines = [view.why, ...view.notes].filter(Boolean).map((l) => one(l, 2000));
  if (!lines.length) return '';
  return `<p class="reason st-${cell.status}">${lines.join('<br>')}</p>`;
}

const CASE_MARK: Record<CaseResult['status'], string> = { pass: 'pass', fail: 'fail', skip: 'skip' };

/** A Go test's cases: one row each, its output (or skip message) in the row. */
function casesTable(cases: readonly CaseResult[]): string {
  const rows = cases.map((c) => {
    const note = c.status === 'skip' ? c.skipMessage : c.unfinished;
    const out = cleanText(c.output).trim();
    return `<tr class="case st-${c.status === 'skip' ? 'skip' : c.status}"><td>${escapeMarkup(CASE_MARK[c.status])}</td><td class="mono">${one(c.name, 500)}</td><td>${escapeMarkup(formatMs(c.elapsedMs))}</td><td>${note ? one(note, 500) : ''}${out ? `<pre>${escapeMarkup(out)}</pre>` : ''}</td></tr>`;
  });
  return `<table class="cases"><thead><tr><th>status</th><th>case</th><th>time</th><th>output</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** One test of the cell: its outcome, output, kernel-log segment, and cases for a Go test. */
function renderTest(cell: CellResult, t: TestResult): string {
  const view = testView(cell, t);
  const cases = t.cases?.length
    ? `<h4>cases (${t.cases.filter((c) => c.status !== 'fail').length}/${t.cases.length} passed or skipped)</h4>\n${casesTable(t.cases)}\n`
    : '';
  return `<details class="test" data-test="${one(t.name, 200)}" data-status="${view.status}"${view.status === 'pass' ? '' : ' open'}>
<summary><span class="badge st-${view.status}">${view.mark} ${escapeMarkup(view.label)}</span> <span class="mono">${one(t.name, 200)}</span> <span class="why">${one(view.why)}</span> <span class="time">${escapeMarkup(formatMs(t.timings.ms))}</span></summary>
${testKernelDetail(t)}${cases}${output('stdout', t.stdout)}
${output('stderr', t.stderr)}
${t.kernelLog ? `${output('kernel log while the test ran', t.kernelLog)}\n` : ''}${t.consoleTail ? output('console tail', t.consoleTail) : ''}
</details>`;
}

/** The tally of a cell of several tests (`2/3 +1 xfail`); empty for one. */
function testCount(cell: CellResult, view: CellView): string {
  return view.tally ? ` <span class="tests-count" title="${escapeMarkup(tallyLegend([cell]) ?? '')}">tests: ${escapeMarkup(view.tally)}</span>` : '';
}

/** `index` makes a DOM id that cannot collide; the cell id itself lives in data-id. */
export function renderCell(cell: CellResult, index: number): string {
  const view = cellView(cell);
  const several = cell.tests.length > 1 || cell.tests.some((t) => t.cases?.length);
  const dl = facts(cell)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `<div><dt>${escapeMarkup(k)}</dt><dd>${one(v, 500)}</dd></div>`)
    .join('');
  const log = cell.consoleLog ? `<p><a href="${escapeMarkup(encodeURI(cell.consoleLog.replace(/\\/g, '/')))}">full console log</a></p>` : '';
  return `<details class="cell" id="cell-${index}" data-id="${one(cell.id, 1000)}" data-status="${cell.status}">
<summary>${badge(cell)} <span class="id mono">${one(cell.id, 1000)}</span> <span class="why">${one(view.why)}</span>${testCount(cell, view)} <span class="time">${cell.status === 'skip' ? '' : escapeMarkup(formatMs(cell.timings.totalMs))}</span></summary>
<div class="body">
${reasonBlock(cell, view)}
${several || !cell.tests[0] ? '' : testKernelDetail(cell.tests[0])}<dl class="facts">${dl}</dl>
${
  several
    ? `<h3>tests</h3>\n${cell.tests.map((t) => renderTest(cell, t)).join('\n')}`
    : `${output('stdout', cell.stdout)}
${output('stderr', cell.stderr)}
${cell.kernelLog ? `${output('kernel log while the loader ran', cell.kernelLog)}\n` : ''}`
}
${output('dmesg', cell.dmesg)}
${output('console tail', cell.consoleTail)}
${log}
</div>
</details>`;
}
