// Run the CLI the way users do: in-process through main() with captured streams,
// or as a child process (for signals), always from the TypeScript sources.

import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal }): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await main(args, {
    cwd: opts.cwd,
    env: { ...process.env, CI: 'true', ...opts.env },
    stdout,
    stderr,
    signal: opts.signal ?? new AbortController().signal,
  });
  return { code, stdout: out, stderr: err };
}

/** The CLI as a separate process (tsx runs the sources), for signal tests. */
export function spawnCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): ChildProcess {
  return spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(repoRoot, 'test/helpers/cli-entry.ts'), ...args], {
    cwd: opts.cwd,
    env: { ...process.env, CI: 'true', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
