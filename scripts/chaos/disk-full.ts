// Fault: the results disk fills up mid-run (a tiny tmpfs under the results dir). The
// run must stop with a clear error (the path, "no space left", no stack trace), every
// result it already wrote must parse and agree with the clean run, and once there is
// room again `--resume` must complete without running those cells again.

import { execFileSync } from 'node:child_process';
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { compare, readCellFiles, readResults, run } from './portmatrix.js';
import { makeProject } from './project.js';
import { type Row, row } from './row.js';

const PAGE = 4096;

/** What a directory's files take on a tmpfs, which counts whole pages per file. */
export async function tmpfsBytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) bytes += Math.ceil((await stat(path.join(e.parentPath, e.name))).size / PAGE) * PAGE;
  }
  return bytes;
}

/**
 * Room for some cells' results, not for all of them: half of what the clean run's
 * cell files and console logs took, in pages. A fixed size went stale as results
 * shrank (all eight cells came to fit in it, and the run rightly succeeded).
 */
const tinySize = (cleanBytes: number) => `${Math.max(PAGE, Math.floor(cleanBytes / 2 / PAGE) * PAGE)}`;

const mount = (...args: string[]) => execFileSync('mount', args, { stdio: 'inherit' });

export async function diskFull(clean: Map<string, string>, cleanResultsBytes: number): Promise<Row> {
  const r = row('results disk full');
  const dir = await makeProject();
  const resultsDir = path.join(dir, 'results');
  await mkdir(resultsDir);
  const size = tinySize(cleanResultsBytes);
  console.log(`  a ${Math.round(Number(size) / 1024)} KiB tmpfs for cell results that took ${Math.round(cleanResultsBytes / 1024)} KiB`);
  mount('-t', 'tmpfs', '-o', `size=${size}`, 'pm-chaos-results', resultsDir);
  try {
    const full = await run(['run'], dir);
    r.injected = 1;
    const error = full.stderr
      .trim()
      .split('\n')
      .filter((l) => !/^(start |\[\d+\/\d+\] )/.test(l));
    console.log(`  disk full: exit ${full.code}; ${error.slice(-3).join(' / ')}`);
    if (full.code === 0) r.wrong.push('the run succeeded on a full disk');
    if (!/no space left/i.test(full.stderr) || !full.stderr.includes(resultsDir))
      r.wrong.push(`no clear error naming ${resultsDir}: ${error.slice(-3).join(' / ')}`);
    if (/\n\s+at .*:\d+:\d+\)?\n/.test(full.stderr)) r.wrong.push('the error came with a stack trace');
    const before = await readCellFiles(resultsDir);
    for (const b of before.bad) r.lost.push(`${b}: written before the disk filled, no longer parses`);
    r.wrong.push(...compare(clean, before.cells).wrong);

    mount('-o', 'remount,size=16m', resultsDir);
    const resumed = await run(['run', '--resume'], dir);
    if (resumed.code !== 0) r.wrong.push(`--resume with room again exited ${resumed.code}: ${resumed.stderr.slice(-300)}`);
    const cells = await readResults(resultsDir);
    const { lost, wrong } = compare(clean, cells);
    r.lost.push(...lost);
    r.wrong.push(...wrong);
    const kept = new Map(before.cells.map((c) => [c.id, c.startedAt]));
    for (const c of cells) if (kept.has(c.id) && kept.get(c.id) !== c.startedAt) r.lost.push(`${c.id}: written before the disk filled, run again by --resume`);
  } finally {
    execFileSync('umount', [resultsDir]);
  }
  return r;
}
