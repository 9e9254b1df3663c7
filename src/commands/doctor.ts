// `portmatrix doctor`: what this host lacks for the matrix, and the one command
// that installs it. Exit 3 when a required piece is missing.

import fs from 'node:fs';
import path from 'node:path';
import { commandLoad, loadMatrix } from '../plan/load.js';
import type { Context } from '../context.js';
import { ExitCode } from '../errors.js';
import { ARCHES } from '../core/arch.js';
import { runChecks, type DoctorNeeds } from '../doctor/checks.js';
import { hostFromEnv, type DoctorHost } from '../doctor/host.js';
import { renderDoctor } from '../doctor/render.js';

export interface DoctorOptions {
  matrix: string;
  cacheDir?: string;
  /** Tests replace parts of the host (kvm path, keyring path, node version). */
  host?: Partial<DoctorHost>;
}

async function needsOf(ctx: Context, file: string): Promise<{ needs: DoctorNeeds; note: string }> {
  if (!fs.existsSync(path.resolve(ctx.cwd, file))) {
    return { needs: { arches: [...ARCHES], vng: false }, note: `no ${file} here: checking every arch (${ARCHES.join(', ')})` };
  }
  const { matrix } = await loadMatrix(file, { ...commandLoad(ctx, false), allowOutsideProject: true });
  const modes = [...matrix.kernels, ...matrix.configs].map((x) => x.btf?.kind);
  const btf = { generate: modes.includes('auto') || modes.includes('min'), min: matrix.btf.objects.length > 0 };
  return { needs: { arches: matrix.arches, vng: matrix.vm.backend === 'vng', btf }, note: `arches of ${file}: ${matrix.arches.join(', ')}` };
}

export default async function doctor(ctx: Context, opts: DoctorOptions): Promise<number> {
  const { needs, note } = await needsOf(ctx, opts.matrix);
  const host = { ...hostFromEnv(ctx.env, ctx.cwd, opts.cacheDir), ...opts.host };
  const results = await runChecks(host, needs);
  ctx.stdout.write(`${note}\n${renderDoctor(results)}`);
  return results.some((r) => r.status === 'missing') ? ExitCode.infra : ExitCode.ok;
}
