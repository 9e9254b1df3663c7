// Fault: two portmatrix processes on one cache at once (same matrix, separate results
// dirs). The cache is fresh except for the downloaded images (hard links to the
// shared cache's), so both race to make the same four snapshots. Both must finish
// with the clean run's results, and the cache must stay consistent: every snapshot's
// state hashes to its recorded sha256, every blob to its name, no lock is left.

import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveCacheDir } from '../../src/host/cache-dir.js';
import { sha256File } from '../../src/images/cache.js';
import type { SnapshotMeta } from '../../src/images/snapshots.js';
import { repoRoot } from '../../test/helpers/cli.js';
import { compare, readResults, run } from './portmatrix.js';
import { makeProject } from './project.js';
import { type Row, row } from './row.js';

/** A cache holding the shared cache's verified images (hard links: no copy, no download) and no snapshots. */
async function seededCache(dir: string): Promise<string> {
  const cacheDir = path.join(dir, 'cache');
  await mkdir(cacheDir);
  const shared = resolveCacheDir(process.env, dir);
  for (const sub of ['blobs', 'debs', 'trees', 'base', 'btf']) {
    execFileSync('cp', ['-al', path.join(shared, sub), cacheDir], { stdio: 'ignore' });
  }
  return cacheDir;
}

async function cacheProblems(cacheDir: string, snapshotsListed: number): Promise<string[]> {
  const problems: string[] = [];
  const snapDir = path.join(cacheDir, 'snapshots');
  const metas = (await readdir(snapDir)).filter((n) => n.endsWith('.json'));
  if (metas.length !== snapshotsListed) problems.push(`${metas.length} snapshots on disk, images ls lists ${snapshotsListed}`);
  for (const name of metas) {
    const meta = JSON.parse(await readFile(path.join(snapDir, name), 'utf8')) as SnapshotMeta;
    const actual = await sha256File(path.join(snapDir, `${meta.key}.state`)).catch(() => 'missing');
    if (actual !== meta.sha256) problems.push(`snapshot ${meta.key.slice(0, 12)}: state ${actual.slice(0, 12)}, recorded ${meta.sha256.slice(0, 12)}`);
  }
  const blobs = path.join(cacheDir, 'blobs', 'sha256');
  for (const name of (await readdir(blobs)).filter((n) => !n.startsWith('.'))) {
    if ((await sha256File(path.join(blobs, name))) !== name) problems.push(`blob ${name.slice(0, 12)} does not hash to its name`);
  }
  const locks = await readdir(path.join(cacheDir, 'locks')).catch(() => []);
  if (locks.length) problems.push(`locks left behind: ${locks.join(', ')}`);
  return problems;
}

export async function twoProcesses(clean: Map<string, string>): Promise<Row> {
  const r = row('two processes, one cache');
  const dir = await makeProject();
  const cacheDir = await seededCache(dir);
  const args = (n: number) => ['run', '--jobs', '1', '--cache-dir', cacheDir, '--results-dir', `results-${n}`];
  const both = await Promise.all([run(args(1), dir), run(args(2), dir)]);
  r.injected = 1;
  let cold = 0;
  for (const [i, res] of both.entries()) {
    if (res.code !== 0) r.wrong.push(`process ${i + 1} exited ${res.code}: ${res.stderr.slice(-300)}`);
    const cells = await readResults(path.join(dir, `results-${i + 1}`)).catch(() => []);
    const { lost, wrong } = compare(clean, cells);
    r.lost.push(...lost.map((l) => `process ${i + 1}: ${l}`));
    r.wrong.push(...wrong.map((w) => `process ${i + 1}: ${w}`));
    cold += cells.filter((c) => c.boot === 'cold').length;
  }
  const entry = path.join(repoRoot, 'test/helpers/cli-entry.ts');
  const ls = execFileSync(process.execPath, ['--import', import.meta.resolve('tsx'), entry, 'images', 'ls', '--cache-dir', cacheDir], {
    cwd: dir,
    encoding: 'utf8',
  });
  const listed = ls.split('\n').filter((l) => l.startsWith('snapshot ')).length;
  console.log(`  two processes: ${listed} snapshots in the cache, ${cold} of 16 cells booted cold`);
  r.wrong.push(...(await cacheProblems(cacheDir, listed)));
  return r;
}
