// The kernels view: per kernel checked, its facts; per test, the cells it passes
// on and why it fails on the others. Pure: read from the results model (the run's
// check holds the kernels' facts; a failing test, its configuration contrast).

import type { KernelSummary } from '../results/check.js';
import type { RunResults, Status } from '../results/model.js';
import { testView } from './cell-view.js';
import { cellFailed } from './check-view.js';
import { predictionText } from './wording.js';

export interface TestAcrossKernels {
  name: string;
  passesOn: string[];
  /** Every status but pass and skip, as the cell shows it. */
  failsOn: { id: string; status: Status; why: string }[];
  /** Cells where the check's prediction and the outcome differ, with what differs. */
  mismatches: { id: string; text: string }[];
}

/** Each test's cells by outcome, in the cells' order. */
export function testsAcrossKernels(results: RunResults): TestAcrossKernels[] {
  const byName = new Map<string, TestAcrossKernels>();
  for (const cell of results.cells) {
    for (const t of cell.tests) {
      const entry = byName.get(t.name) ?? { name: t.name, passesOn: [], failsOn: [], mismatches: [] };
      byName.set(t.name, entry);
      const view = testView(cell, t);
      if (view.status === 'pass') entry.passesOn.push(cell.id);
      else if (view.status !== 'skip') entry.failsOn.push({ id: cell.id, status: view.status, why: view.why });
      // A cell's prediction covers all its tests' objects: beside a failed test, a passing
      // one may simply not load what the kernel lacks, so its pass is no prediction missed.
      const text = predictionText(t.prediction);
      if (text && !(t.prediction === 'predicted-fail-passed' && cellFailed(cell))) entry.mismatches.push({ id: cell.id, text });
    }
  }
  return [...byName.values()];
}

/** The kernels the run checked, or none (no check). */
export const checkedKernels = (results: RunResults): KernelSummary[] => results.check?.kernels ?? [];
