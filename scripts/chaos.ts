// `npm run chaos`: real multi-cell runs (Debian trixie and bookworm × amd64 and arm64 ×
// two configs, TCG, the test lock) with faults injected, each compared with a clean
// run of the same matrix. Prints fault | times injected | cells lost | wrong results
// and exits 1 unless the last two columns are all zero. Not part of `npm test`: it
// runs about six full matrices and needs root (the disk-full fault mounts a tmpfs).

import path from 'node:path';
import { badMirror } from './chaos/bad-mirror.js';
import { diskFull, tmpfsBytes } from './chaos/disk-full.js';
import { killPortmatrix } from './chaos/kill-portmatrix.js';
import { killQemu } from './chaos/kill-qemu.js';
import { readResults, run, statuses } from './chaos/portmatrix.js';
import { makeProject, removeScratch } from './chaos/project.js';
import { details, type Row, row, table } from './chaos/row.js';
import { twoProcesses } from './chaos/two-processes.js';

/** The clean run's statuses, and the room its cells' files took on a tmpfs (what the disk-full fault is sized from). */
async function cleanRun(): Promise<{ statuses: Map<string, string>; resultsBytes: number }> {
  const dir = await makeProject();
  const res = await run(['run', '--retries', '0'], dir);
  if (res.code !== 0) throw new Error(`the clean run exited ${res.code}:\n${res.stderr}`);
  const cells = await readResults(path.join(dir, 'results'));
  if (cells.some((c) => c.attempts !== 1)) throw new Error('the clean run retried a cell: the machine is too busy for a baseline');
  const results = path.join(dir, 'results');
  return {
    statuses: statuses(cells),
    resultsBytes: (await tmpfsBytes(path.join(results, 'cells'))) + (await tmpfsBytes(path.join(results, 'console'))),
  };
}

const faults = (resultsBytes: number): [string, (clean: Map<string, string>) => Promise<Row>][] => [
  ['SIGKILL a QEMU mid-loader', killQemu],
  ['SIGKILL portmatrix mid-run', killPortmatrix],
  ['mirror resets and truncates', () => badMirror()],
  ['results disk full', (clean) => diskFull(clean, resultsBytes)],
  ['two processes, one cache', twoProcesses],
];

async function main(): Promise<number> {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  const { statuses: clean, resultsBytes } = await cleanRun();
  console.log(
    `clean run: ${[...clean].map(([id, s]) => `${id} ${s}`).join(', ')}; cell results ${Math.round(resultsBytes / 1024)} KiB on tmpfs (${elapsed()})`,
  );
  const rows: Row[] = [];
  for (const [name, inject] of faults(resultsBytes)) {
    console.log(`${name}…`);
    // A fault the harness itself trips over counts as one wrong result, not a crash of the table.
    const r = await inject(clean).catch((error: Error) => ({
      ...row(name),
      wrong: [`chaos harness: ${error.stack ?? error}`],
    }));
    rows.push(r);
    console.log(`  injected ${r.injected}, lost ${r.lost.length}, wrong ${r.wrong.length} (${elapsed()})`);
  }
  console.log(`\n${table(rows)}\n`);
  const why = details(rows);
  if (why) console.log(why);
  console.log(`chaos: ${elapsed()} in all`);
  if (!process.env.CHAOS_KEEP) await removeScratch(); // CHAOS_KEEP=1 keeps the projects for a look
  return rows.every((r) => r.lost.length === 0 && r.wrong.length === 0 && r.injected > 0) ? 0 : 1;
}

process.exitCode = await main();
