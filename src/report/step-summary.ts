// Appends the Markdown summary to the GitHub Actions job summary.
// GitHub rejects a step summary over 1 MiB, and then shows nothing at all.

import { appendFile, stat } from 'node:fs/promises';

export const STEP_SUMMARY_LIMIT = 1024 * 1024;

export type StepSummaryOutcome = 'written' | 'not-in-actions' | 'too-large';

/**
 * Appends `markdown` to $GITHUB_STEP_SUMMARY when it is set. When the file would
 * exceed 1 MiB, appends a one-line note instead so the summary still renders.
 */
export async function appendStepSummary(env: NodeJS.ProcessEnv, markdown: string): Promise<StepSummaryOutcome> {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return 'not-in-actions';
  const existing = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  const text = markdown.endsWith('\n') ? markdown : `${markdown}\n`;
  if (existing + Buffer.byteLength(text) <= STEP_SUMMARY_LIMIT) {
    await appendFile(file, text);
    return 'written';
  }
  const note = '\n_portmatrix: summary omitted, it would exceed the 1 MiB step-summary limit; see report.html in the artifacts._\n';
  if (existing + Buffer.byteLength(note) <= STEP_SUMMARY_LIMIT) await appendFile(file, note);
  return 'too-large';
}
