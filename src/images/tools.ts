// Host tools the image store shells out to (gpgv, dpkg-deb, tar, xz, rpm's), with the
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
  zstd: 'zstd',
  // RPM kernels: signature checks, payload unpacking.
  rpmkeys: 'rpm',
  rpm2cpio: 'rpm2cpio',
  cpio: 'cpio',
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
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env,
      signal: opts.signal,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
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

/** `first | second`, both exit codes checked; rejects naming the tool that failed and what both printed. */
export function runPipe(first: [string, string[]], second: [string, string[]], what: string, tools: ToolEnv): Promise<void> {
  const { env, signal } = tools;
  return new Promise<void>((resolve, reject) => {
    const src = spawn(first[0], first[1], { env, signal, stdio: ['ignore', 'pipe', 'pipe'] });
    const dst = spawn(second[0], second[1], { env, signal, stdio: ['pipe', 'ignore', 'pipe'] });
    src.stdout.pipe(dst.stdin);
    dst.stdin.on('error', () => {}); // the reader may stop once it has what it needs
    let err = '';
    src.stderr.on('data', (b) => (err += b));
    dst.stderr.on('data', (b) => (err += b));
    let pending = 2;
    let failed = false;
    const done = (who: string) => (code: number | null) => {
      if (code !== 0 && !failed) {
        failed = true;
        reject(new InfraError(`${who} failed ${what}: ${err.trim() || `exit ${code}`}`));
      }
      if (--pending === 0 && !failed) resolve();
    };
    src.on('close', done(path.basename(first[0])));
    dst.on('close', done(path.basename(second[0])));
    src.on('error', reject);
    dst.on('error', reject);
  });
}
