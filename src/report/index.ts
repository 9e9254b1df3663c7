// Writes the chosen reports of a results model into a directory.
// results.json is written atomically (temp file + rename) so a reader never sees
// half a file; the rendered views are derived and simply overwritten.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../host/files.js';
import type { RunResults } from '../results/model.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { renderMarkdown, type MarkdownOptions } from './markdown.js';

export const REPORTERS = ['json', 'junit', 'html', 'markdown'] as const;
export type Reporter = (typeof REPORTERS)[number];

/** File name each reporter writes inside the results dir. */
export const REPORT_FILES: Record<Reporter, string> = {
  json: 'results.json',
  junit: 'junit.xml',
  html: 'report.html',
  markdown: 'summary.md',
};

/** `--reporter json,html` → ['json', 'html']; undefined or empty → all of them. */
export function parseReporters(list?: string): Reporter[] {
  if (list === undefined || !list.trim()) return [...REPORTERS];
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.filter((n) => !(REPORTERS as readonly string[]).includes(n));
  if (bad.length) {
    throw new UsageError(`--reporter: unknown reporter ${bad.map((b) => `"${b}"`).join(', ')}; valid: ${REPORTERS.join(', ')}`);
  }
  return [...new Set(names as Reporter[])];
}

/** The canonical results.json text: 2-space JSON, trailing newline (diffs cleanly). */
export function serializeResults(results: RunResults): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}

/** Writes the reports; returns the absolute paths written, in reporter order. */
export async function writeReports(
  dir: string,
  results: RunResults,
  reporters: readonly Reporter[] = REPORTERS,
  markdown: MarkdownOptions = {},
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const reporter of reporters) {
    const file = path.resolve(dir, REPORT_FILES[reporter]);
    const text =
      reporter === 'json'
        ? serializeResults(results)
        : reporter === 'junit'
          ? renderJunit(results)
          : reporter === 'html'
            ? renderHtml(results)
            : renderMarkdown(results, markdown);
    await writeFileAtomic(file, text);
    written.push(file);
  }
  return written;
}
