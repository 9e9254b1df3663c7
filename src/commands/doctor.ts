// `portmatrix doctor`: what this host lacks for the matrix, and the one command
// that installs it. Exit 3 when a required piece is missing.

import fs from 'node:fs';
import path from 'node:path';
import { parseSource } from '../config/kernels.js';
import type { Matrix } from '../config/matrix.js';
import type { Context } from '../context.js';
import { ARCHES } from '../core/arch.js';
import { type DoctorNeeds, runChecks, type TrustNeed } from '../doctor/checks.js';
import { type DoctorHost, hostFromEnv } from '../doctor/host.js';
import { renderDoctor } from '../doctor/render.js';
import { ExitCode } from '../errors.js';
import { DEBIAN_KEYRING } from '../images/apt/debian-index.js';
import { sourceSettings } from '../images/sources.js';
import { createImageStore, defaultImageOptions } from '../images/store.js';
import { commandLoad, loadMatrix } from '../plan/load.js';

export interface DoctorOptions {
  matrix: string;
  cacheDir?: string;
  /** Tests replace parts of the host (kvm path, keyring path, node version). */
  host?: Partial<DoctorHost>;
}

async function needsOf(ctx: Context, file: string): Promise<{ needs: DoctorNeeds; note: string; debianKeyring?: string }> {
  if (!fs.existsSync(path.resolve(ctx.cwd, file))) {
    return {
      needs: { arches: [...ARCHES], vng: false },
      note: `no ${file} here: checking every arch (${ARCHES.join(', ')})`,
    };
  }
  const { matrix } = await loadMatrix(file, { ...commandLoad(ctx, false), allowOutsideProject: true });
  const modes = [...matrix.kernels, ...matrix.configs].map((x) => x.btf?.kind);
  const btf = { generate: modes.includes('auto') || modes.includes('min'), min: matrix.btf.objects.length > 0 };
  const trust = trustOf(ctx, matrix);
  const needs = { arches: matrix.arches, vng: matrix.vm.backend === 'vng', btf, trust: trust.roots };
  return { needs, note: `arches of ${file}: ${matrix.arches.join(', ')}`, debianKeyring: trust.debianKeyring };
}

/** The keyrings the matrix's distributions verify with; Debian's (maybe replaced) is checked on its own. */
function trustOf(ctx: Context, matrix: Matrix): { roots: TrustNeed[]; debianKeyring?: string } {
  const options = defaultImageOptions(ctx.env, matrix.dir, {
    cwd: ctx.cwd,
    matrixSources: matrix.images,
    lockFile: undefined,
  });
  const store = createImageStore(options);
  const debianKeyring = sourceSettings(options, 'debian').keyring;
  const schemes = new Set(matrix.kernels.map((k) => parseSource(k.source)).flatMap((p) => (p?.kind === 'distro' ? [p.scheme] : [])));
  // Debian's own keyring has its line already (keyringCheck).
  const roots = [...schemes].flatMap((s) => store.trustRoots(s)).filter((r) => r.path !== (debianKeyring ?? DEBIAN_KEYRING));
  return { roots, ...(debianKeyring ? { debianKeyring } : {}) };
}

export default async function doctor(ctx: Context, opts: DoctorOptions): Promise<number> {
  const { needs, note, debianKeyring } = await needsOf(ctx, opts.matrix);
  const host = {
    ...hostFromEnv(ctx.env, ctx.cwd, opts.cacheDir),
    ...(debianKeyring ? { keyringPath: debianKeyring } : {}),
    ...opts.host,
  };
  const results = await runChecks(host, needs);
  ctx.stdout.write(`${note}\n${renderDoctor(results)}`);
  return results.some((r) => r.status === 'missing') ? ExitCode.infra : ExitCode.ok;
}
