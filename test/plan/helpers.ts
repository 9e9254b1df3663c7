// Test helpers: run the real CLI with captured streams, and load a matrix from text.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll } from 'vitest';
import { main } from '../../src/cli.js';
import type { Matrix } from '../../src/config/matrix.js';
import { loadMatrix } from '../../src/plan/load.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

export async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const out = sink();
  const err = sink();
  const code = await main(args, { cwd, env, stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

const made: string[] = [];
// Registered once per test file that imports this module: its projects go when it ends.
afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory with the given files (path → content); loader-{arch} files exist for every arch. */
export function project(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portmatrix-plan-'));
  made.push(dir);
  for (const arch of ['amd64', 'arm64', 's390x']) files[`loader-${arch}`] ??= '#!/bin/sh\n';
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

export async function matrixFrom(yaml: string, files: Record<string, string> = {}): Promise<{ matrix: Matrix; warnings: string[]; dir: string }> {
  const dir = project({ ...files, 'matrix.yaml': yaml });
  return { ...(await loadMatrix('matrix.yaml', { cwd: dir, checkLoaderFiles: true })), dir };
}
