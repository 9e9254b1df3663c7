// Host tools the image store shells out to (gpgv, dpkg-deb, tar, xz), with the
// Debian package that provides each, so a missing tool fails with the fix.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { InfraError, MissingToolError } from '../errors.js';
import { which } from '../host/which.js';

export const TOOL_PACKAGES: Record<string, string> = {
  gpgv: 'gpgv',
  'dpkg-deb': 'dpkg',
  tar: 'tar',
  xz: 'xz-utils',
};

/** Where tools are looked up and run: the command's environment, and its abort signal. */
export interface ToolEnv {
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export function requireTool(name: string, env: NodeJS.ProcessEnv): string {
  const found = which(name, env);
  if (!found) throw new MissingToolError(name, TOOL_PACKAGES[name] ?? name);
  return found;
}

export interface ToolResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs a tool to completion; never throws on a non-zero exit (callers decide). */
export function runTool(file: string, args: string[], opts: ToolEnv & { input?: Buffer; cwd?: string }): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, signal: opts.signal, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new InfraError(`${path.basename(file)} failed to start: ${e.message}`, { cause: e })));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }));
    child.stdin.on('error', () => {}); // the tool may exit before reading all input
    child.stdin.end(opts.input);
  });
}
