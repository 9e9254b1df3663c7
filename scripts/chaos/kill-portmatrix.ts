// Fault: portmatrix itself SIGKILLed mid-run (no handler runs). No QEMU may outlive
// it, the cells it finished must survive, and `--resume` must complete the run with
// the clean run's results without running those cells again.

import path from 'node:path';
import { compare, qemuPids, readCellFiles, readResults, run, sleep, start } from './portmatrix.js';
import { makeProject } from './project.js';
import { type Row, row } from './row.js';

/** Starts a run (or a resume) and SIGKILLs it once `finished` more cells are done and a QEMU runs. */
async function killAfter(dir: string, args: string[], finished: number): Promise<{ survivors: number[]; killed: boolean }> {
  const child = start(args, dir);
  const pid = child.proc.pid!;
  let killed = false;
  for (;;) {
    const done = (child.stderr().match(/^\[\d+\/\d+\] /gm) ?? []).length;
    if (done >= finished && qemuPids(pid).length > 0) {
      child.proc.kill('SIGKILL');
      killed = true;
      break;
    }
    if (child.proc.exitCode !== null) break; // finished before we could strike
    await sleep(100);
  }
  await child.exited;
  await sleep(1000); // the kernel delivers the parent-death signal at once; give QEMU a moment to exit
  const survivors = qemuPids(pid);
  for (const p of survivors) process.kill(p, 'SIGKILL'); // do not leave them to the next fault
  return { survivors, killed };
}

export async function killPortmatrix(clean: Map<string, string>): Promise<Row> {
  const r = row('SIGKILL portmatrix mid-run');
  const dir = await makeProject();
  const resultsDir = path.join(dir, 'results');
  const kept = new Map<string, string | undefined>();
  // Twice: once in the first run, once in the resume that follows it.
  for (const [i, args] of [['run'], ['run', '--resume']].entries()) {
    const { survivors, killed } = await killAfter(dir, args, 1 + Math.floor(Math.random() * 3));
    if (killed) r.injected++;
    for (const p of survivors) r.wrong.push(`QEMU ${p} survived the SIGKILL of portmatrix (kill ${i + 1})`);
    const { cells, bad } = await readCellFiles(resultsDir);
    for (const b of bad) r.lost.push(`${b}: unreadable after kill ${i + 1}`);
    for (const c of cells) if (!kept.has(c.id)) kept.set(c.id, c.startedAt);
  }
  const resumed = await run(['run', '--resume'], dir);
  if (resumed.code !== 0) r.wrong.push(`final --resume exited ${resumed.code}: ${resumed.stderr.slice(-300)}`);
  const cells = await readResults(resultsDir);
  const { lost, wrong } = compare(clean, cells);
  r.lost.push(...lost);
  r.wrong.push(...wrong);
  // A cell finished before a kill and run again by --resume is work lost.
  for (const c of cells) if (kept.has(c.id) && kept.get(c.id) !== c.startedAt) r.lost.push(`${c.id}: finished before a kill, run again by --resume`);
  return r;
}
