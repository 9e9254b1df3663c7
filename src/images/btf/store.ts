// The image store's part for BTF: generated BTF per kernel build, through the
// store's cache, package index and lock (key: the kernel's `uname -r`), and the
// HTTP requests it made (the -dbg package streams outside the shared fetcher).

import type { Arch } from '../../core/arch.js';
import { memoize } from '../../core/memo.js';
import { UsageError } from '../../errors.js';
import type { Stanza } from '../apt/deb822.js';
import type { Cache } from '../cache.js';
import type { LockData } from '../lockfile.js';
import { parseKernelSource } from '../source.js';
import type { ImageOptions, ResolvedKernel } from '../types.js';
import { generateBtf } from './generate.js';

export interface BtfStoreParts {
  opts: ImageOptions;
  log: (line: string) => void;
  cache: Cache;
  baseDir: string;
  index: (suite: string, arch: Arch) => Promise<Stanza[]>;
  lock: {
    read(): Promise<LockData>;
    update<T>(held: T | undefined, fresh: T, put: (lock: LockData) => void): Promise<void>;
  };
}

/** Why BTF cannot be generated for a non-Debian kernel, naming where its debug info lives. */
function noGenerator(k: ResolvedKernel): string {
  const use = 'give the BTF with btf: file:<path>, or use btf: none or min';
  if (k.source.startsWith('ubuntu:')) {
    const dbgsym = `${k.package ?? `linux-image-unsigned-${k.release}`}-dbgsym from Ubuntu's debug archive (http://ddebs.ubuntu.com)`;
    return `${k.source} ${k.arch}: kernel ${k.release} has no BTF; portmatrix generates BTF only from Debian's -dbg packages, not from ${dbgsym}; ${use}`;
  }
  return `${k.source}: btf: auto can generate BTF only for debian: kernels (from their -dbg package); ${use}`;
}

export function btfGenerator(p: BtfStoreParts) {
  let requests = 0;
  const deps = {
    cache: p.cache,
    index: p.index,
    mirror: p.opts.debianMirror,
    env: p.opts.env,
    signal: p.opts.signal,
    log: p.log,
    progress: p.opts.progress,
    requested: () => void requests++,
  };
  async function resolve(k: ResolvedKernel): Promise<string> {
    const parsed = parseKernelSource(k.source, p.baseDir);
    if (parsed.kind !== 'distro' || parsed.scheme !== 'debian') throw new UsageError(noGenerator(k));
    const key = k.release; // uname -r names the arch and flavour too
    const locked = (await p.lock.read()).btf[key];
    const got = await generateBtf(
      deps,
      {
        source: k.source,
        suite: parsed.release,
        arch: k.arch,
        release: k.release,
        version: k.version,
        sha256: k.sha256,
      },
      locked,
    );
    await p.lock.update(locked, got.lock, (l) => void (l.btf[key] = got.lock));
    return got.path;
  }
  // A failure is forgotten so a later cell may try again.
  const generatedBtf = memoize(resolve, { keyOf: (k) => `${k.release} ${k.sha256}`, retryFailures: true });
  return { generatedBtf, requests: () => requests };
}
