// Host tools the image store shells out to (gpgv, dpkg-deb, tar, xz), with the
// Debian package that provides each, so a missing tool fails with the fix.

import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { InfraError, MissingToolError } from '../errors.js';

export const TOOL_PACKAGES: Record<string, string> = {
  gpgv: 'gpgv',
  'dpkg-deb': 'dpkg',
  tar: 'tar',
  xz: 'xz-utils',
};

export async function findTool(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '/usr/bin:/bin').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this dir
    }
  }
  return undefined;
}

export async function requireTool(name: string): Promise<string> {
  const found = await findTool(name);
  if (!found) throw new MissingToolError(name, TOOL_PACKAGES[name] ?? name);
  return found;
}

export interface ToolResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs a tool to completion; never throws on a non-zero exit (callers decide). */
export function runTool(file: string, args: string[], opts: { input?: Buffer; signal?: AbortSignal; cwd?: string } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd, signal: opts.signal, stdio: ['pipe', 'pipe', 'pipe'] });
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
