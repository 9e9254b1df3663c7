// Minimal BTF: `bpftool gen min_core_btf` keeps only the types the program's CO-RE
// relocations touch — the file a user would embed in a loader for kernels without BTF.

import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InfraError, MissingToolError } from '../errors.js';
import { which } from '../host/which.js';
import { runTool } from '../images/tools.js';

/** bpftool lives in /usr/sbin on Debian, which a non-root PATH often lacks. */
export function findBpftool(env: NodeJS.ProcessEnv): string | undefined {
  return which('bpftool', { PATH: [env.PATH ?? '', '/usr/sbin', '/sbin'].filter(Boolean).join(path.delimiter) });
}

async function isBigEndianElf(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(6);
    await fh.read(head, 0, 6, 0);
    return head.toString('latin1', 0, 4) === '\x7fELF' && head[5] === 2;
  } finally {
    await fh.close();
  }
}

/** Writes the minimal BTF of `objects` against the full kernel BTF `full` to `out`. */
export async function minimalBtf(full: string, objects: string[], out: string, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<void> {
  const bpftool = findBpftool(env);
  if (!bpftool) throw new MissingToolError('bpftool', 'bpftool');
  const res = await runTool(bpftool, ['gen', 'min_core_btf', full, out, ...objects], { env, signal });
  if (res.code === 0) return;
  const text = `${res.stderr}${res.stdout.toString()}`.trim();
  const foreign = os.endianness() === 'LE' ? (await Promise.all(objects.map(isBigEndianElf))).some(Boolean) : false;
  const hint = foreign
    ? '; this bpftool cannot open big-endian BPF objects on a little-endian host (libbpf before 1.5): ' +
      'list a little-endian build of the same program for btf.objects (clang -target bpfel with the same -D__TARGET_ARCH_*; ' +
      'CO-RE relocations do not depend on byte order)'
    : '';
  throw new InfraError(`bpftool gen min_core_btf failed (exit ${res.code}): ${text.slice(-1500)}${hint}`);
}
