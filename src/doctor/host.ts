// What the doctor looks at, injectable so tests can point it at an empty PATH or
// fake files: nothing here reads process globals except the defaults in hostFromEnv.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface DoctorHost {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Cache root whose free space matters. */
  cacheDir: string;
  kvmPath: string;
  keyringPath: string;
  nodeVersion: string;
  /** The host's arch in our naming (amd64, arm64, s390x), or Node's name for others. */
  hostArch: string;
  /** First line of `<file> <args>` output; undefined when it fails to run. */
  version: (file: string, args: string[]) => Promise<string | undefined>;
}

/** Absolute path of `command` on env.PATH, or undefined. */
export function which(command: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; next directory
    }
  }
  return undefined;
}

function firstLine(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    // A tool that hangs on --version must not hang the doctor.
    execFile(file, args, { env, timeout: 10_000 }, (error, stdout, stderr) => {
      const line = `${stdout}${stderr}`.split('\n').find((l) => l.trim());
      resolve(error && !line ? undefined : line?.trim());
    });
  });
}

/** $PORTMATRIX_CACHE, else $XDG_CACHE_HOME/portmatrix, else ~/.cache/portmatrix (as images/types.ts states). */
export function defaultCacheDir(env: NodeJS.ProcessEnv, cwd: string): string {
  if (env.PORTMATRIX_CACHE) return path.resolve(cwd, env.PORTMATRIX_CACHE);
  if (env.XDG_CACHE_HOME) return path.resolve(cwd, env.XDG_CACHE_HOME, 'portmatrix');
  return path.join(env.HOME ?? os.homedir(), '.cache', 'portmatrix');
}

const NODE_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', s390x: 's390x' };

export function hostFromEnv(env: NodeJS.ProcessEnv, cwd: string, cacheDir?: string): DoctorHost {
  return {
    env,
    cwd,
    cacheDir: cacheDir ? path.resolve(cwd, cacheDir) : defaultCacheDir(env, cwd),
    kvmPath: '/dev/kvm',
    keyringPath: '/usr/share/keyrings/debian-archive-keyring.gpg',
    nodeVersion: process.versions.node,
    hostArch: NODE_ARCH[process.arch] ?? process.arch,
    version: (file, args) => firstLine(file, args, env),
  };
}
