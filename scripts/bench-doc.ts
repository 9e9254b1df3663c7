// Where the benches put their figures: docs/benchmarks.md, each bench in a section of
// its own between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`, replaced whole by
// its next run. A section says which command, commit and host made its figures, so
// the latest figures always come with how to reproduce them; older ones are history
// that the doc keeps by hand below the sections.

import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const BENCH_DOC = path.resolve(import.meta.dirname, '../docs/benchmarks.md');

export interface BenchFigures {
  /** The section's name: `raw`, `snapshot`, `example`, `suite`, `vng`. */
  name: string;
  /** The command line that produced the figures, as a user would type it. */
  command: string;
  /** The table, line by line, as the bench printed it. */
  lines: string[];
}

/** Where and when: the commit (marked when the tree had changes), the day, the host. */
export function provenance(repoRoot: string, now = new Date()): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  let commit: string;
  try {
    const changed = git('status', '--porcelain', '--untracked-files=no') !== '';
    commit = git('rev-parse', '--short', 'HEAD') + (changed ? ' with uncommitted changes' : '');
  } catch {
    commit = 'an unknown commit';
  }
  const cpus = os.cpus();
  const host = `${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'}, Node ${process.version}`;
  return `on ${commit}, ${now.toISOString().slice(0, 10)}, ${host}`;
}

/** The text of one section, markers included. */
export function benchSection(f: BenchFigures, where: string): string {
  // Two lines of one paragraph: the doc's lines stay short, whatever the host's CPU is called.
  const intro = `\`${f.command}\`\n${where}:`;
  return [`<!-- bench:${f.name} -->`, intro, '', '```', ...f.lines, '```', `<!-- /bench:${f.name} -->`].join('\n');
}

/** `doc` with the section of `name` replaced by `section`; appended at the end when it has none. */
export function replaceSection(doc: string, name: string, section: string): string {
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end, from);
  if (from < 0 || to < 0) return `${doc.replace(/\n*$/, '\n')}\n${section}\n`;
  return doc.slice(0, from) + section + doc.slice(to + end.length);
}

/** Writes the figures into their section of docs/benchmarks.md (or `file`); returns the file. */
export async function recordBench(f: BenchFigures, o: { file?: string; repoRoot?: string } = {}): Promise<string> {
  const file = o.file ?? BENCH_DOC;
  const doc = await readFile(file, 'utf8').catch(() => '# Benchmarks\n');
  const where = provenance(o.repoRoot ?? path.dirname(path.dirname(file)));
  await writeFile(file, replaceSection(doc, f.name, benchSection(f, where)));
  return file;
}

/**
 * The command line of this process as typed: `npm run bench -- --snapshot` (`separator`
 * `--`: npm's), `node --import tsx scripts/bench-vng.ts --rounds 5` (none).
 */
export function commandLine(prefix: string, separator?: string, argv = process.argv.slice(2)): string {
  return [prefix, ...(argv.length && separator ? [separator] : []), ...argv].join(' ');
}
