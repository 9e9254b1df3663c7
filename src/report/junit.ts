// JUnit XML in the Ant/Surefire dialect (the one test-reporter actions read:
// dorny/test-reporter `java-junit`, mikepenz/action-junit-report). Validated in
// tests against Jenkins xunit's junit-10.xsd: properties live on <testsuite> only.
// One <testsuite> per cell; one <testcase> per test and per Go case, with the
// cell id as classname (suite/junit-cases.ts gives the Go cases their shape).

import { byId } from '../core/cell.js';
import { cleanText } from '../core/plain-text.js';
import { describeBtf } from '../results/btf.js';
import type { CellResult, RunResults, TestResult } from '../results/model.js';
import { goCaseJunit, type JunitCase } from '../suite/junit-cases.js';
import { type TestView, testView } from './cell-view.js';
import { escapeMarkup, lastLines, oneLine } from './text.js';
import { FLAKY_UNDER_STRICT, outputCutText, retriedText, reusedText } from './wording.js';

const x = (text: string) => escapeMarkup(cleanText(text));
const attr = (text: string | undefined) => escapeMarkup(oneLine(text, 1000));
const seconds = (s: number) => s.toFixed(3);

type Case = JunitCase & { systemErr?: string };

/** The body of a <failure>/<error>: reason, exit facts, and the end of the output. */
function failureBody(cell: CellResult, t: TestResult): string {
  const facts = [
    t.reason && `reason: ${t.reason}`,
    t.exitCode !== undefined && `exit code: ${t.exitCode}`,
    t.timedOut && 'timed out',
    cell.bootFailed && 'kernel did not boot',
    `attempts: ${cell.attempts}`,
    ...retriedText(cell.retriedAfter ?? []),
  ].filter(Boolean);
  const output = t.status === 'infra' ? (t.consoleTail ?? cell.consoleTail) : t.stderr.trim() ? t.stderr : t.stdout;
  const tail = lastLines(cleanText(output), 30);
  // The test's own kernel-log segment: where a splat or a kernel-side reason came from.
  const kernel = t.kernelLog ? `\n\n--- kernel log while the test ran ---\n${lastLines(cleanText(t.kernelLog), 30)}` : '';
  return `${facts.join('\n')}${tail ? `\n\n${tail}` : ''}${kernel}`;
}

/** `failsRun`: the run's verdict counts this cell against the run (a flake under --strict). */
type Outcome = Case['outcome'] & { type?: string };

function testOutcome(cell: CellResult, t: TestResult, view: TestView, failsRun: boolean): Outcome {
  switch (view.status) {
    case 'flaky': {
      if (!failsRun) return { kind: 'passed' };
      const message = `${view.why} (${FLAKY_UNDER_STRICT})`;
      return { kind: 'failure', message, body: failureBody(cell, t), type: 'flaky' };
    }
    case 'fail':
    case 'xpass':
    case 'infra':
      return { kind: 'failure', message: view.why, body: failureBody(cell, t), type: view.status };
    case 'skip':
      return { kind: 'skipped', message: view.why };
    default:
      return { kind: 'passed' };
  }
}

/** The test itself as a case; an expected failure (or a flake the verdict let pass) passes, saying so in its output. */
function testCase(cell: CellResult, t: TestResult, failsRun: boolean): Case {
  const view = testView(cell, t);
  const why = view.status === 'xfail' || view.status === 'flaky' ? [`portmatrix: ${view.why}\n`] : [];
  const note = [...why, ...(t.outputCut ?? []).map((c) => `portmatrix: ${outputCutText(c)}\n`)].join('');
  const tail = t.status !== 'pass' && t.consoleTail ? `--- console tail ---\n${t.consoleTail}` : '';
  return {
    classname: cell.id,
    name: t.name,
    seconds: (t.timings.ms ?? 0) / 1000,
    outcome: testOutcome(cell, t, view, failsRun),
    systemOut: note + t.stdout,
    systemErr: [t.stderr.trimEnd(), tail].filter(Boolean).join('\n'),
  };
}

export function cellCases(cell: CellResult, failsRun = false): Case[] {
  return cell.tests.flatMap((t) => [testCase(cell, t, failsRun), ...goCaseJunit(cell.id, t.name, t.cases ?? [])]);
}

function caseXml(c: Case): string {
  const o = c.outcome as Case['outcome'] & { type?: string };
  const outcome =
    o.kind === 'failure'
      ? o.type === 'infra'
        ? `<error message="${attr(o.message)}" type="infra">${x(o.body)}</error>`
        : `<failure message="${attr(o.message)}" type="${o.type ?? 'fail'}">${x(o.body)}</failure>`
      : o.kind === 'skipped'
        ? `<skipped message="${attr(o.message)}"/>`
        : '';
  const out = cleanText(c.systemOut);
  const err = cleanText(c.systemErr ?? '');
  const inner = [outcome, out && `<system-out>${x(out)}</system-out>`, err && `<system-err>${x(err)}</system-err>`].filter(Boolean);
  const open = `<testcase classname="${attr(c.classname)}" name="${attr(c.name)}" time="${seconds(c.seconds)}"`;
  return inner.length ? `    ${open}>\n      ${inner.join('\n      ')}\n    </testcase>` : `    ${open}/>`;
}

function properties(cell: CellResult): string {
  const props: [string, string | undefined][] = [
    ['arch', cell.arch],
    ['kernel.name', cell.kernel.name],
    ['kernel.source', cell.kernel.source],
    ['kernel.release', cell.kernel.release],
    ['kernel.package', cell.kernel.package && `${cell.kernel.package}${cell.kernel.version ? ` ${cell.kernel.version}` : ''}`],
    ['config', cell.config],
    ['libc', cell.libc],
    ['status', cell.status],
    ['btf', cell.btf && `${describeBtf(cell.btf)} (btf: ${cell.btf.mode})`],
    ['accel', cell.accel],
    ['backend', cell.backend],
    ['qemu.version', cell.qemuVersion],
    ['boot', cell.boot],
    ['reused', cell.reused && reusedText(cell.reused)],
  ];
  const lines = props.filter(([, v]) => v !== undefined).map(([n, v]) => `      <property name="${attr(n)}" value="${attr(v)}"/>`);
  return `    <properties>\n${lines.join('\n')}\n    </properties>`;
}

interface Tally {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function tally(cases: readonly Case[]): Tally {
  const kind = (c: Case) =>
    c.outcome.kind === 'failure'
      ? (c.outcome as { type?: string }).type === 'infra'
        ? 'errors'
        : 'failures'
      : c.outcome.kind === 'skipped'
        ? 'skipped'
        : undefined;
  const t: Tally = { tests: cases.length, failures: 0, errors: 0, skipped: 0 };
  for (const c of cases) {
    const k = kind(c);
    if (k) t[k] += 1;
  }
  return t;
}

function suite(cell: CellResult, failsRun: boolean): { xml: string; tally: Tally } {
  const cases = cellCases(cell, failsRun);
  const t = tally(cases);
  const stamp = cell.startedAt ? ` timestamp="${attr(cell.startedAt)}"` : '';
  const head = `  <testsuite name="${attr(cell.id)}" tests="${t.tests}" failures="${t.failures}" errors="${t.errors}" skipped="${t.skipped}" time="${seconds(cell.timings.totalMs / 1000)}"${stamp}>`;
  return { xml: `${head}\n${properties(cell)}\n${cases.map(caseXml).join('\n')}\n  </testsuite>`, tally: t };
}

export function renderJunit(results: RunResults): string {
  const failed = new Set(results.verdict?.failed);
  const suites = [...results.cells].sort(byId).map((c) => suite(c, failed.has(c.id)));
  const sum = suites.reduce(
    (a, s) => ({
      tests: a.tests + s.tally.tests,
      failures: a.failures + s.tally.failures,
      errors: a.errors + s.tally.errors,
    }),
    { tests: 0, failures: 0, errors: 0 },
  );
  const time = results.cells.reduce((s, c) => s + c.timings.totalMs, 0) / 1000;
  // <testsuites> has no `skipped` attribute in junit-10.xsd; per-suite counts carry it.
  const head = `<testsuites name="portmatrix" tests="${sum.tests}" failures="${sum.failures}" errors="${sum.errors}" time="${seconds(time)}">`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${head}\n${suites.map((s) => s.xml).join('\n')}${suites.length ? '\n' : ''}</testsuites>\n`;
}
