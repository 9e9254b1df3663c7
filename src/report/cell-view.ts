// One view of a cell, the one every report renders: its mark, label, how its tests
// count, why it ended as it did (naming the tests that made it so), and notes.
// Pure: it reads the status outcome/ decided and words it; it decides nothing.

import type { CellResult, Status, TestResult } from '../results/model.js';
import {
  explanationText,
  FLAKY_MEANING,
  failedAsExpected,
  INFRA_MEANING,
  outputCutText,
  passedAgainstExpectation,
  retriedText,
  reusedText,
  STATUS_INFO,
  TALLY_LEGEND,
} from './wording.js';

export interface TestView {
  name: string;
  /** The test's status as the cell shows it: a failure in a cell expected to fail is `xfail`. */
  status: Status;
  mark: string;
  emoji: string;
  label: string;
  /** One line; empty for a pass. */
  why: string;
}

export interface TestTally {
  total: number;
  passed: number;
  xfail: number;
  skipped: number;
  flaky: number;
  /** Failed unexpectedly, passed unexpectedly, or could not run. */
  failed: number;
}

export interface CellView {
  status: Status;
  mark: string;
  emoji: string;
  label: string;
  /** The grid's word: `pass`, `FAIL`, or the tally of a cell of several tests (`2/3 +1 xfail`). */
  word: string;
  /** `2/3 +1 xfail` for a cell of several tests; empty for one. */
  tally: string;
  /** One line; empty for a pass. */
  why: string;
  /** The tests that made the cell's status, with their own why (cells of several tests). */
  tests: TestView[];
  /** Facts beside the status: reused, retried attempts, output cut short. */
  notes: string[];
}

const several = (cell: CellResult) => cell.tests.length > 1;

/** The expectation's reason: the test's own `expect`, else the cell's. */
const expectation = (cell: CellResult, t?: TestResult) => t?.expected?.reason ?? cell.expected?.reason;

/** A test's status as its cell shows it: a cell expected to fail absorbs its failures. */
export function shownStatus(cell: CellResult, t: TestResult): Status {
  return t.status === 'fail' && cell.status === 'xfail' ? 'xfail' : t.status;
}

/** What a failure said, or its exit code. */
function failure(reason: string | undefined, exitCode: number | undefined): string {
  return reason ?? (exitCode === undefined ? 'failed' : `exited with code ${exitCode}`);
}

/** Why a status, from its reason, exit code and expectation: the one wording of each status. */
function statusWhy(status: Status, o: { reason?: string; exitCode?: number; expected?: string }): string {
  switch (status) {
    case 'pass':
      return '';
    case 'fail':
      return failure(o.reason, o.exitCode);
    case 'xpass':
      return passedAgainstExpectation(o.expected);
    case 'xfail':
      return failedAsExpected(o.expected, o.reason);
    case 'infra':
      return o.reason ?? INFRA_MEANING;
    case 'skip':
      return o.reason ?? 'skipped';
    case 'flaky':
      return o.reason ? `${FLAKY_MEANING}: ${o.reason}` : FLAKY_MEANING;
  }
}

/**
 * A failure's why with its kernel-level explanation, when the run had a check: the
 * finding before the loader's words (a terminal line cut to its width keeps it), an
 * unexplained failure's note after them.
 */
function explained(why: string, t: TestResult | undefined): string {
  if (!t?.explanation || !why) return why;
  const text = explanationText(t.explanation);
  return t.explanation === 'unexplained' ? `${why} — ${text}` : `${text} — ${why}`;
}

export function testView(cell: CellResult, t: TestResult): TestView {
  const status = shownStatus(cell, t);
  const info = STATUS_INFO[status];
  const own = statusWhy(status, { reason: t.reason, exitCode: t.exitCode, expected: expectation(cell, t) });
  const why = explained(own, t);
  return { name: t.name, status, mark: info.mark, emoji: info.emoji, label: info.label, why };
}

const BUCKET: Record<Status, keyof Omit<TestTally, 'total'>> = {
  pass: 'passed',
  xfail: 'xfail',
  skip: 'skipped',
  flaky: 'flaky',
  fail: 'failed',
  xpass: 'failed',
  infra: 'failed',
};

export function testTally(cell: CellResult): TestTally {
  const tally: TestTally = { total: cell.tests.length, passed: 0, xfail: 0, skipped: 0, flaky: 0, failed: 0 };
  for (const t of cell.tests) tally[BUCKET[shownStatus(cell, t)]] += 1;
  return tally;
}

/**
 * `3/3` when every test passed, `2/3 +1 xfail`, `1/3 +1 xfail` (one failed), and
 * `3 xfail` when none passed and none failed: passed/total counts passes only.
 */
export function tallyText(t: TestTally): string {
  const extra = (
    [
      ['xfail', t.xfail],
      ['skip', t.skipped],
      ['flaky', t.flaky],
    ] as const
  ).filter(([, n]) => n > 0);
  const ratio = t.passed > 0 || t.failed > 0 || extra.length === 0 ? [`${t.passed}/${t.total}`] : [];
  const parts = [...ratio, ...extra.map(([word, n]) => `${n} ${word}`)];
  return parts.map((p, i) => (i > 0 ? `+${p}` : p)).join(' ');
}

/** The legend of the tallies these cells show, naming only the parts they use; none without a tally. */
export function tallyLegend(cells: readonly CellResult[]): string | undefined {
  const tallies = cells.filter(several).map(testTally);
  if (!tallies.length) return undefined;
  const used = {
    xfail: tallies.some((t) => t.xfail),
    skip: tallies.some((t) => t.skipped),
    flaky: tallies.some((t) => t.flaky),
  };
  const extra = (['xfail', 'skip', 'flaky'] as const).filter((k) => used[k]).map((k) => TALLY_LEGEND[k]);
  const parts = [TALLY_LEGEND.ratio, ...extra];
  return `tests: ${parts.join(', ')}`;
}

/** The tests behind the cell's status: the ones that share it (a failing cell's failures). */
function decidingTests(cell: CellResult): TestView[] {
  const views = cell.tests.map((t) => testView(cell, t));
  if (cell.status === 'fail') return views.filter((t) => BUCKET[t.status] === 'failed');
  if (cell.status === 'pass' || cell.status === 'skip') return [];
  return views.filter((t) => t.status === cell.status);
}

/**
 * The cell's why: its own reason for one test; for several, the tests that made it
 * so. Infra and flaky cells keep their own reason: it is about the guest or the runs.
 */
function cellWhy(cell: CellResult, deciding: readonly TestView[]): string {
  const expected = expectation(cell, cell.tests[0]);
  const own = statusWhy(cell.status, { reason: cell.reason, exitCode: cell.exitCode, expected });
  if (!several(cell)) return cell.status === 'fail' || cell.status === 'xfail' ? explained(own, cell.tests[0]) : own;
  if (deciding.length === 0 || cell.status === 'infra' || cell.status === 'flaky') return own;
  if (deciding.length === 1) return `${deciding[0]!.name}: ${deciding[0]!.why}`;
  const names = deciding.map((t) => t.name).join(', ');
  const verb = cell.status === 'xfail' ? failedAsExpected(cell.expected?.reason, undefined) : 'failed';
  return `${deciding.length} of ${cell.tests.length} tests ${verb}: ${names}`;
}

/** Every stream a test (or the cell) had cut short, named. */
function cutNotes(cell: CellResult): string[] {
  const own = (cell.outputCut ?? []).map(outputCutText);
  return [...own, ...cell.tests.flatMap((t) => (t.outputCut ?? []).map((c) => `test ${t.name}: ${outputCutText(c)}`))];
}

function notes(cell: CellResult): string[] {
  return [...(cell.reused ? [reusedText(cell.reused)] : []), ...retriedText(cell.retriedAfter ?? []), ...cutNotes(cell)];
}

export function cellView(cell: CellResult): CellView {
  const info = STATUS_INFO[cell.status];
  const deciding = several(cell) ? decidingTests(cell) : [];
  const tally = several(cell) ? tallyText(testTally(cell)) : '';
  const word = tally && cell.status !== 'skip' && cell.status !== 'infra' ? tally : info.word;
  const { mark, emoji, label } = info;
  return {
    status: cell.status,
    mark,
    emoji,
    label,
    word,
    tally,
    why: cellWhy(cell, deciding),
    tests: deciding,
    notes: notes(cell),
  };
}
