// The HTML report's kernel-level parts: a failing test's verifier lines, where the
// check's prediction and the outcome differ, and the configuration it differs in
// from a kernel it passes on; and the "kernels" section (each kernel's facts, each
// test's kernels). All text escaped: findings name what a guest's loader printed.

import type { KernelSummary } from '../results/check.js';
import type { RunResults, TestResult } from '../results/model.js';
import { checkedKernels, testsAcrossKernels } from './kernels-view.js';
import { escapeMarkup as esc, oneLine } from './text.js';
import { predictionText } from './wording.js';

/** How many options a kernel's row highlights: the most relevant to BPF first. */
const HIGHLIGHTS = 6;

const list = (items: readonly string[]) => `<ul>${items.map((i) => `<li>${esc(oneLine(i, 500))}</li>`).join('')}</ul>`;

/** A test's kernel-level detail under its reason; empty when there is none. */
export function testKernelDetail(t: TestResult): string {
  const parts: string[] = [];
  const differs = predictionText(t.prediction);
  if (differs) parts.push(`<p class="note">${esc(differs)}</p>`);
  if (t.verifierLog?.length) {
    parts.push(`<h4>verifier log, last lines</h4>\n<pre>${esc(t.verifierLog.join('\n'))}</pre>`);
  }
  const contrast = t.configContrast;
  if (contrast) {
    const head = `BPF configuration that differs from ${contrast.against} (passes there)`;
    parts.push(`<h4>${esc(head)}</h4>\n${list(contrast.lines)}`);
  }
  return parts.length ? `${parts.join('\n')}\n` : '';
}

function kernelRow(k: KernelSummary): string {
  const options = k.options
    ? k.options
        .slice(0, HIGHLIGHTS)
        .map((o) => `${o.name}=${o.value}`)
        .join(', ')
    : 'no config in the package';
  const cols = [k.kernel, k.arch, k.release, k.btfSource, String(k.helpers), String(k.kfuncs), options];
  return `<tr>${cols.map((c, i) => `<td${i < 2 ? ' class="mono"' : ''}>${esc(c)}</td>`).join('')}</tr>`;
}

function testRows(results: RunResults): string {
  return testsAcrossKernels(results)
    .map((t) => {
      const fails = t.failsOn.map((f) => `${f.id}: ${f.why}`);
      const differ = t.mismatches.map((m) => `${m.id}: ${m.text}`);
      const passes = t.passesOn.length ? t.passesOn.join(', ') : 'none';
      const why = `${fails.length ? list(fails) : ''}${differ.length ? list(differ) : ''}`;
      return `<tr><td class="mono">${esc(t.name)}</td><td>${esc(passes)}</td><td>${why}</td></tr>`;
    })
    .join('\n');
}

/** The kernels section; nothing when the run had no check. */
export function kernelsSection(results: RunResults): string {
  const kernels = checkedKernels(results);
  if (!kernels.length) return '';
  const head = ['kernel', 'arch', 'release', 'BTF', 'helpers', 'kfuncs', 'BPF configuration'].map((h) => `<th>${h}</th>`).join('');
  return `<h2>Kernels</h2>
<table class="kernels"><thead><tr>${head}</tr></thead><tbody>
${kernels.map(kernelRow).join('\n')}
</tbody></table>
<table class="kernels"><thead><tr><th>test</th><th>passes on</th><th>fails on, and why</th></tr></thead><tbody>
${testRows(results)}
</tbody></table>
`;
}
