// The run's verdict as every report words it: the headline of the terminal table,
// the HTML report and its title, the Markdown summary, the job summary and the PR
// comment. It words `results.verdict` (decided in outcome/run-verdict.ts) and never
// recomputes it: results without one say the verdict was not recorded.

import type { RunResults } from '../results/model.js';
import { FLAKY_UNDER_STRICT, INFRA_MEANING, STATUS_INFO } from './wording.js';

export interface VerdictView {
  /** `ok`, `bad` (the run failed), `infra` (incomplete), `unknown` (no verdict recorded). */
  tone: 'ok' | 'bad' | 'infra' | 'unknown';
  mark: string;
  emoji: string;
  /** `5 of 11 cells failed unexpectedly; 1 could not run (infrastructure)`. */
  headline: string;
  /** For a window title: `5 failed`, `1 infra`, `all as expected`. */
  short: string;
}

const of = (n: number, total: number) => `${n} of ${total} cells`;

/** The failed cells' phrase: flaky ones fail the run only under --strict, and say so. */
function failedPhrase(results: RunResults, failed: readonly string[]): string {
  const ids = new Set(failed);
  const flaky = results.cells.filter((c) => ids.has(c.id) && c.status === 'flaky').length;
  const how = flaky ? `failed (${flaky} ${FLAKY_UNDER_STRICT})` : 'failed unexpectedly';
  return `${of(failed.length, results.cells.length)} ${how}`;
}

export function verdictView(results: RunResults): VerdictView {
  const v = results.verdict;
  const total = results.cells.length;
  if (!v) {
    const headline = `${total} cells, verdict not recorded in these results`;
    return { tone: 'unknown', mark: '?', emoji: '❔', headline, short: 'verdict not recorded' };
  }
  if (v.ok) {
    return { tone: 'ok', mark: STATUS_INFO.pass.mark, emoji: STATUS_INFO.pass.emoji, headline: `all ${total} cells as expected`, short: 'all as expected' };
  }
  const infra = v.infra.length ? `${of(v.infra.length, total)} ${INFRA_MEANING}` : '';
  if (!v.failed.length) {
    return { tone: 'infra', mark: STATUS_INFO.infra.mark, emoji: STATUS_INFO.infra.emoji, headline: infra, short: `${v.infra.length} infra` };
  }
  const headline = [failedPhrase(results, v.failed), v.infra.length ? `${v.infra.length} ${INFRA_MEANING}` : ''].filter(Boolean).join('; ');
  return { tone: 'bad', mark: STATUS_INFO.fail.mark, emoji: STATUS_INFO.fail.emoji, headline, short: `${v.failed.length} failed` };
}
