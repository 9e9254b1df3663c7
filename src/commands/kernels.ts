// `portmatrix kernels <source>`: what a distribution offers today — every flavour ×
// arch → the kernel (`uname -r`), its version and package — read from the signed
// index, so choosing a kernel takes no mirror reading. `<scheme>` alone lists every
// release the registry knows.

import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { ARCHES, type Arch } from '../core/arch.js';
import { distroOf, KERNEL_SCHEMES } from '../core/distros.js';
import { ExitCode, UsageError } from '../errors.js';
import type { KernelOffer } from '../images/kernel-source.js';
import { parseKernelSource } from '../images/source.js';
import { createImageStore } from '../images/store.js';
import { commandLoad, loadMatrix } from '../plan/load.js';
import { imageOptionsBeside } from './image-options.js';

export interface KernelsOptions {
  matrix: string;
  /** Comma-separated arches; default all three. */
  arch?: string;
  json?: boolean;
  cacheDir?: string;
  mirror?: string;
}

/** `ubuntu` → every release; `ubuntu:noble[/hwe]` → that one (flavour kept for filtering). */
function releasesOf(source: string): { scheme: string; releases: string[]; flavour?: string } {
  const scheme = source.includes(':') ? source.slice(0, source.indexOf(':')) : source;
  const distro = distroOf(scheme);
  if (!distro) {
    const known = KERNEL_SCHEMES.filter((s) => distroOf(s)).join(', ');
    throw new UsageError(`kernels ${source}: not a distribution; use one of ${known}, e.g. kernels debian:trixie`);
  }
  if (!source.includes(':')) return { scheme, releases: [...distro.releases] };
  const parsed = parseKernelSource(source);
  if (parsed.kind !== 'distro' || !distro.releases.includes(parsed.release)) {
    throw new UsageError(`kernels ${source}: unknown ${distro.label} ${distro.releaseWord}; use one of ${distro.releases.join(', ')}`);
  }
  return { scheme, releases: [parsed.release], ...(parsed.flavour ? { flavour: parsed.flavour } : {}) };
}

function parseArches(list: string | undefined): Arch[] {
  if (!list) return [...ARCHES];
  return list.split(',').map((a) => {
    if (!(ARCHES as readonly string[]).includes(a.trim())) throw new UsageError(`--arch ${list}: "${a}" is not an arch; use ${ARCHES.join(', ')}`);
    return a.trim() as Arch;
  });
}

/** One row per release × flavour × arch, the ones the release does not build or list marked so. */
export function renderOffers(rows: { source: string; offer?: KernelOffer; arch: Arch; flavour: string; note?: string }[]): string {
  const table = [['SOURCE', 'FLAVOUR', 'ARCH', 'KERNEL', 'VERSION', 'PACKAGE']];
  for (const r of rows) {
    table.push([r.source, r.flavour, r.arch, r.offer?.release ?? `— ${r.note ?? ''}`.trim(), r.offer?.version ?? '', r.offer?.package ?? '']);
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return `${table
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

export default async function kernels(ctx: Context, opts: KernelsOptions, source: string): Promise<number> {
  const { scheme, releases, flavour } = releasesOf(source);
  const arches = parseArches(opts.arch);
  const matrixFile = path.resolve(ctx.cwd, opts.matrix);
  // A matrix here gives its mirrors and keyrings (images:); none is needed.
  const loaded = existsSync(matrixFile) ? await loadMatrix(opts.matrix, { ...commandLoad(ctx, false), allowOutsideProject: true }) : undefined;
  const options = imageOptionsBeside(ctx, matrixFile, loaded?.matrix, opts, { lockFile: undefined });
  const store = createImageStore(options);
  const distro = distroOf(scheme)!;
  const rows = [];
  for (const release of releases) {
    const offers = await store.offers(`${scheme}:${release}`, arches);
    for (const f of flavour ? [flavour] : distro.flavours) {
      for (const arch of arches) {
        const offer = offers.find((o) => o.flavour === f && o.arch === arch);
        const note = distro.unavailable?.(release, f, arch) ?? 'none in the index';
        rows.push({ source: `${scheme}:${release}`, flavour: f, arch, ...(offer ? { offer } : { note }) });
      }
    }
  }
  ctx.stdout.write(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : renderOffers(rows));
  ctx.stderr.write(`read ${new Date().toISOString().slice(0, 10)} from the signed index; ${store.requests()} HTTP requests\n`);
  return ExitCode.ok;
}
