// The reporters, a registry of name → file and render function, and writing the
// chosen ones into a results directory. Every file is written atomically (temp
// file + rename), so a reader never sees half of results.json.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../host/files.js';
import type { RunResults } from '../results/model.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { type MarkdownOptions, renderMarkdown } from './markdown.js';

/** The canonical results.json text: 2-space JSON, trailing newline (diffs cleanly). */
export function serializeResults(results: RunResults): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}

/** What a reporter writes: its file in the results dir, and the text, from the results model alone. */
export interface ReporterEntry {
  file: string;
  render: (results: RunResults, opts: RenderOptions) => string;
}

/** Options some reporters take (the Markdown summary's link and size limit). */
export type RenderOptions = MarkdownOptions;

/** Every report portmatrix writes, by its `--reporter` name, in the order they are written. */
export const REPORTER_REGISTRY = {
  json: { file: 'results.json', render: (results) => serializeResults(results) },
  junit: { file: 'junit.xml', render: (results) => renderJunit(results) },
  html: { file: 'report.html', render: (results) => renderHtml(results) },
  markdown: { file: 'summary.md', render: renderMarkdown },
} as const satisfies Record<string, ReporterEntry>;

export type Reporter = keyof typeof REPORTER_REGISTRY;
export const REPORTERS = Object.keys(REPORTER_REGISTRY) as Reporter[];

/** File name each reporter writes inside the results dir. */
export const REPORT_FILES = Object.fromEntries(REPORTERS.map((r) => [r, REPORTER_REGISTRY[r].file])) as Record<Reporter, string>;

/** `--reporter json,html` → ['json', 'html']; undefined or empty → all of them. */
export function parseReporters(list?: string): Reporter[] {
  if (list === undefined || !list.trim()) return [...REPORTERS];
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !(REPORTERS as readonly string[]).includes(n));
  if (bad.length) {
    throw new UsageError(`--reporter: unknown reporter ${bad.map((b) => `"${b}"`).join(', ')}; valid: ${REPORTERS.join(', ')}`);
  }
  return [...new Set(names as Reporter[])];
}

/** Writes the reports; returns the absolute paths written, in reporter order. */
export async function writeReports(dir: string, results: RunResults, reporters: readonly Reporter[] = REPORTERS, opts: RenderOptions = {}): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const reporter of reporters) {
    const { file: name, render } = REPORTER_REGISTRY[reporter];
    const file = path.resolve(dir, name);
    await writeFileAtomic(file, render(results, opts));
    written.push(file);
  }
  return written;
}
