// The run's outcome read against the check it made before its boots, cell by cell:
// a cell failed when any of its tests failed (expected or not), and agrees when the
// check predicted just that. Cells without a verdict of their own (skipped, infra)
// and cells the check left alone are not compared.

import { agreement, type PredictionAgreement } from '../results/check.js';
import type { CellResult, RunResults } from '../results/model.js';
import { predictionText } from './wording.js';

export interface CellAgreement {
  id: string;
  predicted: 'pass' | 'fail';
  outcome: 'pass' | 'fail';
  agreement: PredictionAgreement;
}

/** Whether any test of the cell failed, expected or not. */
export const cellFailed = (cell: CellResult) => cell.tests.some((t) => t.status === 'fail' || t.status === 'xfail');

function outcomeOf(cell: CellResult): 'pass' | 'fail' | undefined {
  if (cell.status === 'skip' || cell.status === 'infra' || !cell.tests.length) return undefined;
  return cellFailed(cell) ? 'fail' : 'pass';
}

/** Every checked cell with a verdict, its prediction and outcome, in the results' order. */
export function cellAgreements(results: RunResults): CellAgreement[] {
  const predictions = new Map((results.check?.cells ?? []).map((c) => [c.id, c.predicted]));
  const out: CellAgreement[] = [];
  for (const cell of results.cells) {
    const predicted = predictions.get(cell.id);
    const outcome = outcomeOf(cell);
    if ((predicted !== 'pass' && predicted !== 'fail') || !outcome) continue;
    out.push({ id: cell.id, predicted, outcome, agreement: agreement(predicted, outcome) });
  }
  return out;
}

/** Failed tests (expected or not) whose output no finding of their cell explains. */
export function unexplainedTests(results: RunResults): number {
  return results.cells.flatMap((c) => c.tests).filter((t) => t.explanation === 'unexplained').length;
}

/** One line for the run's notes: how the check's predictions came out, naming the first cells that differ. */
export function checkNote(results: RunResults): string | undefined {
  const rows = cellAgreements(results);
  if (!rows.length) return undefined;
  const differ = rows.filter((r) => r.agreement !== 'agree');
  const unexplained = unexplainedTests(results);
  const tail = unexplained ? `; ${unexplained} failed ${unexplained === 1 ? 'test' : 'tests'} unexplained by the kernel facts` : '';
  if (!differ.length) {
    const fails = rows.filter((r) => r.outcome === 'fail').length;
    return `check: all ${rows.length} checked cells came out as predicted (${fails} to fail, ${rows.length - fails} to pass)${tail}`;
  }
  const named = differ.slice(0, 3).map((r) => `${r.id} ${predictionText(r.agreement)}`);
  const more = differ.length > 3 ? `, +${differ.length - 3} more` : '';
  return `check: ${differ.length} of ${rows.length} checked cells differ from the prediction: ${named.join(', ')}${more}${tail}`;
}
