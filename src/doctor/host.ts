// What the doctor looks at, injectable so tests can point it at an empty PATH or
// fake files: nothing here reads process globals except the defaults in hostFromEnv.

import { execFile } from 'node:child_process';
import { hostArch } from '../core/arch.js';
import { resolveCacheDir } from '../host/cache-dir.js';

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

function firstLine(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    // A tool that hangs on --version must not hang the doctor.
    execFile(file, args, { env, timeout: 10_000 }, (error, stdout, stderr) => {
      const line = `${stdout}${stderr}`.split('\n').find((l) => l.trim());
      resolve(error && !line ? undefined : line?.trim());
    });
  });
}

export function hostFromEnv(env: NodeJS.ProcessEnv, cwd: string, cacheDir?: string): DoctorHost {
  return {
    env,
    cwd,
    cacheDir: resolveCacheDir(env, cwd, cacheDir),
    kvmPath: '/dev/kvm',
    keyringPath: '/usr/share/keyrings/debian-archive-keyring.gpg',
    nodeVersion: process.versions.node,
    hostArch: hostArch() ?? process.arch,
    version: (file, args) => firstLine(file, args, env),
  };
}
