// Fault: a QEMU SIGKILLed from outside while its loader runs (the OOM killer, a runner
// hiccup). The cell must come out infra, be retried, and end as in the clean run.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { compare, qemuPids, readResults, start } from './portmatrix.js';
import { cellFile, makeProject } from './project.js';
import { type Row, row } from './row.js';

function pick<T>(items: T[], n: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

/** Kills the one running QEMU once `id`'s console shows the loader started. One cell at a time, so the QEMU is the cell's. */
async function killDuringLoader(resultsDir: string, pid: number, id: string): Promise<boolean> {
  const text = await readFile(path.join(resultsDir, 'console', `${cellFile(id)}.log`), 'utf8').catch(() => '');
  const qemus = qemuPids(pid);
  if (!text.includes(' phase=loader-start ') || text.includes(' phase=loader-end') || qemus.length !== 1) return false;
  process.kill(qemus[0]!, 'SIGKILL');
  return true;
}

export async function killQemu(clean: Map<string, string>): Promise<Row> {
  const r = row('SIGKILL a QEMU mid-loader');
  const dir = await makeProject();
  const targets = pick([...clean.keys()], 2);
  const killed = new Set<string>();
  const child = start(['run', '--jobs', '1', '--retries', '1'], dir);
  // One look at a time: two overlapping looks could both read the first attempt's console
  // and the second kill the retry's QEMU, leaving the cell infra after its one retry.
  let looking = false;
  const watcher = setInterval(async () => {
    if (looking) return;
    looking = true;
    for (const id of targets) {
      if (!killed.has(id) && (await killDuringLoader(path.join(dir, 'results'), child.proc.pid!, id))) killed.add(id);
    }
    looking = false;
  }, 100);
  await child.exited.finally(() => clearInterval(watcher));
  r.injected = killed.size;
  const cells = await readResults(path.join(dir, 'results'));
  const { lost, wrong } = compare(clean, cells);
  r.lost.push(...lost);
  r.wrong.push(...wrong);
  for (const id of targets) {
    if (!killed.has(id)) r.wrong.push(`${id}: never caught inside its loader (no kill)`);
    const cell = cells.find((c) => c.id === id);
    if (killed.has(id) && !(cell?.attempts === 2 && /killed by SIGKILL/.test(cell.retriedAfter?.[0] ?? ''))) {
      r.wrong.push(`${id}: killed but not retried as infra (attempts ${cell?.attempts}, retriedAfter ${JSON.stringify(cell?.retriedAfter)})`);
    }
  }
  for (const c of cells) if (!targets.includes(c.id) && c.attempts !== 1) r.wrong.push(`${c.id}: ${c.attempts} attempts though not killed`);
  return r;
}
