// Which code fetches which scheme: a distribution's family (core/distros.ts) or oci:
// and file:, each a KernelSourceFamily made once per store; and each scheme's mirrors
// and keyring, from the store's options over the registry's defaults.

import path from 'node:path';
import { distroOf, type KernelFamily, sourceOptions } from '../core/distros.js';
import { UsageError } from '../errors.js';
import { aptFamily } from './apt/family.js';
import { fileFamily } from './file/family.js';
import type { KernelSourceFactory, KernelSourceFamily, SourceContext, SourceSettings } from './kernel-source.js';
import { ociFamily } from './oci/family.js';
import { rpmFamily } from './rpm/family.js';
import type { ImageOptions } from './types.js';

const FACTORIES: Record<KernelFamily | 'oci' | 'file', KernelSourceFactory> = {
  apt: aptFamily,
  rpm: rpmFamily,
  oci: ociFamily,
  file: fileFamily,
};

/** The family of a scheme (`debian` → apt, `oci` → oci). */
export function familyOf(scheme: string): KernelFamily | 'oci' | 'file' {
  if (scheme === 'oci' || scheme === 'file') return scheme;
  const distro = distroOf(scheme);
  if (!distro) throw new UsageError(`unknown kernel source scheme ${scheme}:`);
  return distro.family;
}

/** One family instance per family, made on first use. */
export function familyTable(ctx: SourceContext): (scheme: string) => KernelSourceFamily {
  const made = new Map<string, KernelSourceFamily>();
  return (scheme) => {
    const family = familyOf(scheme);
    let got = made.get(family);
    if (!got) made.set(family, (got = FACTORIES[family](ctx)));
    return got;
  };
}

/** A scheme's mirrors and keyring: `opts.sources` by option key, else the registry's defaults. */
export function sourceSettings(opts: Pick<ImageOptions, 'debianMirror' | 'sources'>, scheme: string): SourceSettings {
  const mirrors: Record<string, string> = {};
  let keyring: string | undefined;
  for (const o of sourceOptions().filter((x) => x.scheme === scheme)) {
    const value = o.key === 'debianMirror' ? opts.debianMirror : (opts.sources?.[o.key] ?? o.default);
    if (o.name === 'keyring') keyring = value;
    else if (value) mirrors[o.name] = value.replace(/\/+$/, '');
  }
  return { mirrors, ...(keyring ? { keyring } : {}) };
}

/**
 * Option key → value from the environment (`PORTMATRIX_UBUNTU_MIRROR`, ...), then the
 * matrix's `images:`; a relative keyring path is relative to the command's cwd or the matrix's dir.
 */
export function sourcesFromEnv(
  env: NodeJS.ProcessEnv,
  matrix: Record<string, string | undefined> = {},
  dirs: { cwd: string; matrixDir?: string },
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of sourceOptions()) {
    const fromEnv = env[o.env];
    const value = fromEnv ?? matrix[o.key];
    if (!value) continue;
    const base = fromEnv ? dirs.cwd : (dirs.matrixDir ?? dirs.cwd);
    out[o.key] = o.name === 'keyring' ? path.resolve(base, value) : value;
  }
  return out;
}
