// The phrases every report uses for a status, an expectation, a flake, an
// infrastructure error and a reused result. Each is worded here once: the
// terminal, JUnit, HTML, Markdown, the PR comment and the GitHub log say it alike.

import type { PredictionAgreement, TestExplanation } from '../results/check.js';
import type { CellResult, OutputCut, Status } from '../results/model.js';

export interface StatusInfo {
  /** Emoji mark used by Markdown and HTML. */
  emoji: string;
  /** Text-presentation symbol for terminals and HTML (fonts without colour emoji render it). */
  mark: string;
  label: string;
  /** The word in a terminal grid; upper case marks what breaks the run. */
  word: string;
}

export const STATUS_INFO: Record<Status, StatusInfo> = {
  pass: { emoji: '✅', mark: '✓', label: 'pass', word: 'pass' },
  fail: { emoji: '❌', mark: '✗', label: 'fail', word: 'FAIL' },
  xpass: { emoji: '❗', mark: '‼', label: 'unexpected pass', word: 'XPASS' },
  infra: { emoji: '⚠️', mark: '⚠', label: 'infra error', word: 'INFRA' },
  xfail: { emoji: '☑️', mark: '⊘', label: 'expected failure', word: 'xfail' },
  skip: { emoji: '➖', mark: '–', label: 'skipped', word: 'skip' },
  // Failed, then passed on a fresh boot: not a portability failure, but not clean either.
  flaky: { emoji: '🔁', mark: '≈', label: 'flaky', word: 'FLAKY' },
};

/** Order in which statuses are listed: what needs attention first. */
export const STATUS_ORDER: readonly Status[] = ['fail', 'xpass', 'infra', 'flaky', 'xfail', 'skip', 'pass'];

/** What `flaky` means, wherever a reader meets the word. */
export const FLAKY_MEANING = 'failed, then passed on a fresh boot';

/** Why a flaky cell failed the run: --strict was on. */
export const FLAKY_UNDER_STRICT = 'flaky, which fails the run under --strict';

/** What `infra` means: the run could not judge the cell. */
export const INFRA_MEANING = 'could not run (infrastructure)';

export { passedAgainstExpectation } from '../results/expectation.js';
export { missingText } from '../results/shard-plan.js';

/** Shards that uploaded no results, as the verdict names them; `none` when no shard uploaded any. */
export function missingShardsText(shards: readonly string[], none: boolean): string {
  if (none) return 'no shard uploaded results';
  return `${shards.length === 1 ? 'shard' : 'shards'} ${shards.join(', ')} uploaded no results`;
}

/** An expectation to fail that held, with what was observed. */
export function failedAsExpected(reason: string | undefined, observed: string | undefined): string {
  return `failed as expected (${reason ?? 'expect'})${observed ? `: ${observed}` : ''}`;
}

/** A cell taken from the result store instead of run (`run --reuse`). */
export function reusedText(reused: NonNullable<CellResult['reused']>): string {
  return `not run: an earlier run with identical inputs (${reused.finishedAt ?? 'date unknown'}) ended as expected`;
}

/** Earlier attempts that failed through the infrastructure and were retried. */
export function retriedText(retriedAfter: readonly string[]): string[] {
  return retriedAfter.map((why, i) => `attempt ${i + 1}: ${INFRA_MEANING}: ${why}`);
}

/** A stream the guest cut short: `stdout cut: 1.0 MiB kept of 50.0 MiB`, or `of more` when the total is unknown. */
export function outputCutText(cut: OutputCut): string {
  const mib = (n: number) => (n < 1048576 ? `${Math.ceil(n / 1024)} KiB` : `${(n / 1048576).toFixed(1)} MiB`);
  return `${cut.stream} cut: ${mib(cut.keptBytes)} kept of ${cut.totalBytes === undefined ? 'more' : mib(cut.totalBytes)}`;
}

/** The legend of the statuses, one entry each: `✗ fail`, `‼ unexpected pass`, … */
export function statusLegend(style: 'mark' | 'emoji'): string[] {
  return STATUS_ORDER.map((s) => `${STATUS_INFO[s][style]} ${STATUS_INFO[s].label}`);
}

/** What each part of a tally means (cell-view.ts `tallyText`), for the legend under a grid. */
export const TALLY_LEGEND = {
  ratio: '2/3 = 2 of 3 tests passed',
  xfail: '+1 xfail = 1 more failed as expected',
  skip: '+1 skip = 1 more skipped',
  flaky: `+1 flaky = 1 more ${FLAKY_MEANING}`,
} as const;

/** A failing test's kernel-level explanation: `kernel lacks field task_struct.state: absent; …`. */
export function explanationText(e: TestExplanation): string {
  if (e === 'unexplained') return 'unexplained by the kernel facts';
  return `kernel lacks ${e.kind} ${e.need}: ${e.detail}`;
}

/** Where the check's prediction and the outcome differ; empty where they agree. */
export function predictionText(p: PredictionAgreement | undefined): string {
  if (p === 'predicted-fail-passed') return 'predicted to fail but passed (the program handled what the kernel lacks)';
  if (p === 'failed-unexplained') return 'failed unexplained: the check predicted a pass';
  return '';
}

/** The test × cell view's title (test-grid.ts). */
export const TEST_GRID_TITLE = 'Tests × cells';

/** The test × cell view's heading: the tests it lists among all. */
export function testGridHeading(listed: number, total: number): string {
  return `${listed} of ${total} tests did not pass on every cell they ran on`;
}

/** A test's row end: on how many of the cells it ran on it did not pass. */
export function testGridCount(failed: number, ran: number): string {
  return `on ${failed} of ${ran} ${ran === 1 ? 'cell' : 'cells'}`;
}

/** The mark of a test that did not run in a cell (not in its tests, or skipped). */
export const NOT_RUN_MARK = '·';

/** What a bounded test × cell view left out; empty when nothing. */
export function testGridLeftOut(tests: number, cells: number): string {
  const more = (n: number, word: string) => (n ? `${n} more ${word}${n === 1 ? '' : 's'}` : '');
  const named = [more(tests, 'test'), more(cells, 'cell')].filter(Boolean);
  return named.length ? `not shown: ${named.join(' and ')} where a test did not pass` : '';
}
