// What `images pull`, `images update` and `lock` resolve: each image the matrix's
// runnable cells need, once (kernels per source, arch and flavour, busybox per arch,
// libcs), one line printed for each, failures counted rather than thrown.

import { mayGenerate, pullBtf } from '../btf/pull.js';
import type { Context } from '../context.js';
import type { Arch } from '../core/arch.js';
import type { Cell } from '../core/cell.js';
import { PortmatrixError } from '../errors.js';
import { formatFacts } from '../images/config-facts.js';
import { createImageStore, type ImageStoreExt } from '../images/store.js';
import { type ImageOptions, NotAvailableError } from '../images/types.js';

interface ImageJob {
  what: string;
  fetch: () => Promise<string>;
}

function kernelJobs(cells: Cell[], store: ImageStoreExt): ImageJob[] {
  // btf: whether a cell on the kernel may need BTF generated for it (btf: auto or min).
  const kernels = new Map<string, { source: string; arch: Arch; flavour?: string; btf: boolean }>();
  for (const c of cells) {
    const key = `${c.kernel.source} ${c.arch} ${c.config.flavour ?? ''}`;
    const btf = (kernels.get(key)?.btf ?? false) || mayGenerate([c]);
    kernels.set(key, { source: c.kernel.source, arch: c.arch, flavour: c.config.flavour, btf });
  }
  return [...kernels.values()].map((k) => ({
    what: `${k.source}${k.flavour ? ` (flavour ${k.flavour})` : ''} ${k.arch}`,
    fetch: async () => {
      const r = await store.kernel(k.source, k.arch, k.flavour);
      // The modules a boot loads come from the cache too, so a run after a pull needs no network.
      const modules = await store.virtioModules(r);
      const bootModules = modules?.length ? `, ${modules.length} boot modules` : '';
      return `${r.release} ${r.package ?? ''} ${r.version ?? ''} — ${formatFacts(r.facts)}${bootModules}${k.btf ? await pullBtf(store, r) : ''}`;
    },
  }));
}

/** Each image the cells need, once: kernels per (source, arch, flavour), busybox per arch, libcs. */
function imageJobs(cells: Cell[], store: ImageStoreExt): ImageJob[] {
  const libcs = new Set(cells.filter((c) => c.libc.startsWith('debian:')).map((c) => `${c.libc.slice(7)} ${c.arch}`));
  return [
    ...kernelJobs(cells, store),
    ...[...new Set(cells.map((c) => c.arch))].map((arch) => ({
      what: `busybox ${arch}`,
      fetch: () => store.busybox(arch),
    })),
    ...[...libcs].map((key) => {
      const [suite, arch] = key.split(' ') as [string, Arch];
      return { what: `libc ${suite} ${arch}`, fetch: () => store.libc(suite, arch) };
    }),
  ];
}

export interface Resolved {
  /** What could not be had, with why: `debian:trixie amd64: cannot fetch …`. */
  failed: string[];
  requests: number;
}

/** Resolves every image the cells need through one store; writes a line per image to `out`. */
export async function resolveImages(out: Context['stdout'], cells: Cell[], options: ImageOptions): Promise<Resolved> {
  const store = createImageStore(options);
  const failed: string[] = [];
  const attempt = async ({ what, fetch }: ImageJob) => {
    try {
      out.write(`${what}: ${await fetch()}\n`);
    } catch (error) {
      if (error instanceof NotAvailableError) return void out.write(`${what}: not available (${error.message})\n`);
      if (!(error instanceof PortmatrixError)) throw error;
      failed.push(`${what}: ${error.message}`);
      out.write(`${what}: FAILED: ${error.message}\n`);
    }
  };
  await Promise.all(imageJobs(cells, store).map(attempt));
  return { failed, requests: store.requests() };
}
