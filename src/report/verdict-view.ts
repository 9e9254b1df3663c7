// The run's verdict as every report words it: the headline of the terminal table,
// the HTML report and its title, the Markdown summary, the job summary and the PR
// comment. It words `results.verdict` (decided in outcome/run-verdict.ts) and never
// recomputes it: results without one say the verdict was not recorded.

import type { RunResults } from '../results/model.js';
import { FLAKY_UNDER_STRICT, INFRA_MEANING, missingShardsText, STATUS_INFO, type StatusInfo } from './wording.js';

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
const marks = (info: StatusInfo) => ({ mark: info.mark, emoji: info.emoji });

/** The failed cells' phrase: flaky ones fail the run only under --strict, and say so. */
function failedPhrase(results: RunResults, failed: readonly string[]): string {
  const ids = new Set(failed);
  const flaky = results.cells.filter((c) => ids.has(c.id) && c.status === 'flaky').length;
  const how = flaky ? `failed (${flaky} ${FLAKY_UNDER_STRICT})` : 'failed unexpectedly';
  return `${of(failed.length, results.cells.length)} ${how}`;
}

/** `2 of 4 cells could not run (infrastructure)`, naming the shards that uploaded nothing. */
function infraPhrase(results: RunResults, infra: readonly string[], counted: boolean): string {
  const phrase = `${counted ? of(infra.length, results.cells.length) : infra.length} ${INFRA_MEANING}`;
  const shards = results.verdict?.missingShards;
  if (!shards?.length) return phrase;
  const none = results.cells.every((c) => c.missing || c.status === 'skip');
  return `${phrase}: ${missingShardsText(shards, none)}`;
}

export function verdictView(results: RunResults): VerdictView {
  const v = results.verdict;
  const total = results.cells.length;
  if (!v) {
    const headline = `${total} cells, verdict not recorded in these results`;
    return { tone: 'unknown', mark: '?', emoji: '❔', headline, short: 'verdict not recorded' };
  }
  const { pass, infra, fail } = STATUS_INFO;
  if (v.ok) return { tone: 'ok', ...marks(pass), headline: `all ${total} cells as expected`, short: 'all as expected' };
  if (!v.failed.length) {
    const headline = infraPhrase(results, v.infra, true);
    return { tone: 'infra', ...marks(infra), headline, short: `${v.infra.length} infra` };
  }
  const couldNot = v.infra.length ? infraPhrase(results, v.infra, false) : '';
  const headline = [failedPhrase(results, v.failed), couldNot].filter(Boolean).join('; ');
  return { tone: 'bad', ...marks(fail), headline, short: `${v.failed.length} failed` };
}
