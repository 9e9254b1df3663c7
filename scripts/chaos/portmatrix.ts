// Running portmatrix as a child process (so it can be killed), finding its QEMUs, and
// reading what it wrote.

import { type ChildProcess, execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CellResult, RunResults } from '../../src/results/model.js';
import { spawnCli } from '../../test/helpers/cli.js';

export interface Child {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `portmatrix <args>` in `cwd`, TCG, output captured. */
export function start(args: string[], cwd: string): Child {
  const proc = spawnCli([...args, '--accel', 'tcg'], { cwd });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return { proc, stdout: () => out, stderr: () => err, exited };
}

export async function run(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = start(args, cwd);
  const { code } = await child.exited;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

/**
 * QEMU processes started by the portmatrix process `pid`: its scratch dir
 * os.tmpdir()/portmatrix-<pid>-… is in their argv.
 */
export function qemuPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-f', `qemu-system-.*portmatrix-${pid}-`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

export async function readResults(resultsDir: string): Promise<CellResult[]> {
  const results: RunResults = JSON.parse(await readFile(path.join(resultsDir, 'results.json'), 'utf8'));
  return results.cells;
}

/** The per-cell files a run wrote as it went; `bad` are those that do not parse. */
export async function readCellFiles(resultsDir: string): Promise<{ cells: CellResult[]; bad: string[] }> {
  const dir = path.join(resultsDir, 'cells');
  const cells: CellResult[] = [];
  const bad: string[] = [];
  for (const name of (await readdir(dir).catch(() => [])).filter((n) => n.endsWith('.json'))) {
    try {
      cells.push(JSON.parse(await readFile(path.join(dir, name), 'utf8')) as CellResult);
    } catch {
      bad.push(name);
    }
  }
  return { cells, bad };
}

export const statuses = (cells: CellResult[]) => new Map(cells.map((c) => [c.id, c.status]));

/** Cells of the clean run missing from `got`, and cells whose status differs from it. */
export function compare(clean: Map<string, string>, got: CellResult[]): { lost: string[]; wrong: string[] } {
  const seen = statuses(got);
  const lost = [...clean.keys()].filter((id) => !seen.has(id));
  const wrong = [...seen].filter(([id, s]) => clean.has(id) && clean.get(id) !== s).map(([id, s]) => `${id}: ${s}, clean run ${clean.get(id)}`);
  return { lost, wrong };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
