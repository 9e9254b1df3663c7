// Runs generated matrices (fuzz-matrices.ts) through `portmatrix plan` in a project
// made for them, and judges each run against the invariant: exit 0 with a plan, or
// exit 2 with one `file:line:col` line; never 70, a stack, a hang or a blow-up.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './cli.js';

const cli = (args: string[], cwd: string) => runCli(args, { cwd, env: {} });

/** The project every generated matrix is planned in: loaders, data, a symlink loop, a link out, a directory. */
export const PROJECT_FILES: Record<string, string> = {
  'loader-amd64': '#!/bin/sh\n',
  'loader-arm64': '#!/bin/sh\n',
  'loader-s390x': '#!/bin/sh\n',
  'data/a.o': 'a',
  'data/amd64.o': 'b',
  'loop/x.o': 'x',
  'dir/x': '',
  vmlinuz: 'not a kernel',
  'raw.btf': 'x',
};
export const PROJECT_LINKS: Record<string, string> = { 'loop/a': '.', 'loop/b': '.', 'link-out': '/etc/passwd' };

export type Verdict = 'plan' | 'located' | 'bad';

/** Whether a run of `portmatrix plan` kept the invariant, and which way. */
export function verdict(run: { code: number; stdout: string; stderr: string }): Verdict {
  if (run.code === 0 && run.stdout.length > 0) return 'plan';
  const lines = run.stderr.split('\n').filter((l) => l && !l.startsWith('warning: '));
  if (run.code === 2 && run.stdout === '' && lines.length === 1 && /^portmatrix: matrix\.yaml:\d+:\d+: [^\n]+; /.test(lines[0]!)) return 'located';
  return 'bad';
}

export interface FuzzCounts {
  plan: number;
  located: number;
  bad: { text: string; run: { code: number; stdout: string; stderr: string } | string }[];
  slowestMs: number;
  maxRssMb: number;
}

/** Plans one matrix text in `dir` through the real CLI; a run past `slowMs` or `maxRssMb` breaks the invariant too. */
export async function planOne(dir: string, text: string, counts: FuzzCounts, limits = { slowMs: 5000, maxRssMb: 400 }): Promise<Verdict> {
  fs.writeFileSync(path.join(dir, 'matrix.yaml'), text);
  const started = performance.now();
  const run = await cli(['plan', '--matrix', 'matrix.yaml'], dir);
  const ms = performance.now() - started;
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  counts.slowestMs = Math.max(counts.slowestMs, ms);
  counts.maxRssMb = Math.max(counts.maxRssMb, rssMb);
  let v = verdict(run);
  if (v !== 'bad' && ms > limits.slowMs) v = 'bad';
  if (v !== 'bad' && rssMb > limits.maxRssMb) v = 'bad';
  if (v === 'bad')
    counts.bad.push({
      text,
      run: ms > limits.slowMs ? `took ${Math.round(ms)} ms` : rssMb > limits.maxRssMb ? `rss ${Math.round(rssMb)} MB` : run,
    });
  else counts[v]++;
  return v;
}

/** A project directory with PROJECT_FILES and PROJECT_LINKS. */
export function fuzzProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-fuzz-'));
  for (const [name, content] of Object.entries(PROJECT_FILES)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  for (const [name, target] of Object.entries(PROJECT_LINKS)) fs.symlinkSync(target, path.join(dir, name));
  return dir;
}
