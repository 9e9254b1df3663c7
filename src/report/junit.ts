// JUnit XML in the Ant/Surefire dialect (the one test-reporter actions read:
// dorny/test-reporter `java-junit`, mikepenz/action-junit-report). Validated in
// tests against Jenkins xunit's junit-10.xsd: properties live on <testsuite> only.

import { describeBtf } from '../results/btf.js';
import type { CellResult, RunResults } from '../results/model.js';
import { cleanText } from '../core/plain-text.js';
import { escapeMarkup, lastLines, oneLine } from './text.js';
import { byId } from '../core/cell.js';
import { archOrder, countStatuses, kernelOrder, totalSeconds } from './view.js';

const x = (text: string) => escapeMarkup(cleanText(text));
const attr = (text: string | undefined) => escapeMarkup(oneLine(text, 1000));
const seconds = (s: number) => s.toFixed(3);

/** The body of a <failure>/<error>: reason, exit facts, and the end of the output. */
function failureBody(cell: CellResult): string {
  const facts = [
    cell.reason && `reason: ${cell.reason}`,
    cell.exitCode !== undefined && `exit code: ${cell.exitCode}`,
    cell.timedOut && 'timed out',
    cell.bootFailed && 'kernel did not boot',
    `attempts: ${cell.attempts}`,
    ...(cell.retriedAfter ?? []).map((why, i) => `attempt ${i + 1}: infra: ${why}`),
  ].filter(Boolean);
  const output = cell.status === 'infra' ? cell.consoleTail : cell.stderr.trim() ? cell.stderr : cell.stdout;
  const tail = lastLines(cleanText(output), 30);
  // The test's own kernel-log segment: where a splat or a kernel-side reason came from.
  const kernel = cell.kernelLog ? `\n\n--- kernel log while the loader ran ---\n${lastLines(cleanText(cell.kernelLog), 30)}` : '';
  return x(`${facts.join('\n')}${tail ? `\n\n${tail}` : ''}${kernel}`);
}

function outcomeElement(cell: CellResult): string {
  switch (cell.status) {
    case 'fail':
      return `<failure message="${attr(cell.reason ?? `loader exited ${cell.exitCode ?? '?'}`)}" type="fail">${failureBody(cell)}</failure>`;
    case 'xpass':
      return `<failure message="${attr(`expected to fail (${cell.expected?.reason ?? 'expect'}) but passed`)}" type="xpass">${failureBody(cell)}</failure>`;
    case 'infra':
      return `<error message="${attr(cell.reason ?? 'infrastructure error')}" type="infra">${failureBody(cell)}</error>`;
    case 'skip':
      return `<skipped message="${attr(cell.reason ?? 'skipped')}"/>`;
    default:
      return '';
  }
}

function systemOut(cell: CellResult): string {
  // An expected failure is a passing test; say so where a reader of the test looks.
  const note =
    cell.status === 'xfail'
      ? `portmatrix: expected failure (${cell.expected?.reason ?? 'expect'}); observed: ${cell.reason ?? 'failed'}\n`
      : '';
  const btf = cell.btf ? `portmatrix: BTF ${describeBtf(cell.btf)} (btf: ${cell.btf.mode})\n` : '';
  const text = note + btf + cleanText(cell.stdout);
  return text ? `<system-out>${x(text)}</system-out>` : '';
}

function systemErr(cell: CellResult): string {
  const parts = [cleanText(cell.stderr).trimEnd()];
  if (cell.status !== 'pass' && cell.consoleTail) parts.push(`--- console tail ---\n${cleanText(cell.consoleTail).trimEnd()}`);
  const text = parts.filter(Boolean).join('\n');
  return text ? `<system-err>${x(text)}</system-err>` : '';
}

function testcase(cell: CellResult): string {
  const inner = [outcomeElement(cell), systemOut(cell), systemErr(cell)].filter(Boolean);
  const open = `<testcase classname="${attr(`portmatrix.${cell.arch}.${cell.kernel.name}`)}" name="${attr(cell.id)}" time="${seconds(cell.timings.totalMs / 1000)}"`;
  return inner.length ? `    ${open}>\n      ${inner.join('\n      ')}\n    </testcase>` : `    ${open}/>`;
}

/** Distinct values, joined; a suite's cells usually agree (one kernel, one arch). */
function distinct(cells: readonly CellResult[], pick: (c: CellResult) => string | undefined): string | undefined {
  const values = [...new Set(cells.map(pick).filter((v): v is string => !!v))].sort();
  return values.length ? values.join(', ') : undefined;
}

function properties(cells: readonly CellResult[]): string {
  const first = cells[0]!;
  const props: [string, string | undefined][] = [
    ['arch', first.arch],
    ['kernel.name', first.kernel.name],
    ['kernel.source', first.kernel.source],
    ['kernel.release', distinct(cells, (c) => c.kernel.release)],
    ['kernel.package', distinct(cells, (c) => c.kernel.package && `${c.kernel.package}${c.kernel.version ? ` ${c.kernel.version}` : ''}`)],
    ['accel', distinct(cells, (c) => c.accel)],
    ['backend', distinct(cells, (c) => c.backend)],
    ['qemu.version', distinct(cells, (c) => c.qemuVersion)],
  ];
  const lines = props.filter(([, v]) => v !== undefined).map(([n, v]) => `      <property name="${attr(n)}" value="${attr(v)}"/>`);
  return `    <properties>\n${lines.join('\n')}\n    </properties>`;
}

function suiteAttrs(name: string, cells: readonly CellResult[]): string {
  const c = countStatuses(cells);
  const stamp = distinct(cells, (cell) => cell.startedAt)?.split(', ')[0];
  return (
    `name="${attr(name)}" tests="${c.total}" failures="${c.fail + c.xpass}" errors="${c.infra}" skipped="${c.skip}" ` +
    `time="${seconds(totalSeconds(cells))}"${stamp ? ` timestamp="${attr(stamp)}"` : ''}`
  );
}

export function renderJunit(results: RunResults): string {
  const suites: string[] = [];
  const arches = archOrder(results.cells);
  for (const kernel of kernelOrder(results.cells)) {
    for (const arch of arches) {
      const cells = results.cells.filter((c) => c.kernel.name === kernel && c.arch === arch).sort(byId);
      if (!cells.length) continue;
      suites.push(
        `  <testsuite ${suiteAttrs(`${kernel} / ${arch}`, cells)}>\n${properties(cells)}\n${cells.map(testcase).join('\n')}\n  </testsuite>`,
      );
    }
  }
  const all = countStatuses(results.cells);
  // <testsuites> has no `skipped` attribute in junit-10.xsd; per-suite counts carry it.
  const head = `<testsuites name="portmatrix" tests="${all.total}" failures="${all.fail + all.xpass}" errors="${all.infra}" time="${seconds(totalSeconds(results.cells))}">`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${head}\n${suites.join('\n')}${suites.length ? '\n' : ''}</testsuites>\n`;
}
