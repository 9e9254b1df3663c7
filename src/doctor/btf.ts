// Doctor checks for the matrix's BTF settings: pahole (package dwarves) generates
// BTF for `btf: auto` / `min` on kernels without it; bpftool writes minimal BTF.

import path from 'node:path';
import { which } from '../host/which.js';
import type { CheckResult } from './check.js';
import type { DoctorHost } from './host.js';

export interface BtfNeeds {
  /** Some config or kernel uses `auto` or `min`. */
  generate: boolean;
  /** `btf.objects` is set. */
  min: boolean;
}

function check(host: DoctorHost, name: string, aptPackage: string, purpose: string, extraDirs: string[] = []): CheckResult {
  const env = { ...host.env, PATH: [host.env.PATH ?? '', ...extraDirs].filter(Boolean).join(path.delimiter) };
  const found = which(name, env);
  return found ? { name, status: 'ok', detail: found } : { name, status: 'missing', detail: `not on PATH (${purpose})`, aptPackage };
}

export function btfChecks(host: DoctorHost, needs: BtfNeeds | undefined): CheckResult[] {
  const out: CheckResult[] = [];
  if (needs?.generate) out.push(check(host, 'pahole', 'dwarves', 'generates BTF for kernels built without it (btf: auto, min)'));
  if (needs?.min) out.push(check(host, 'bpftool', 'bpftool', 'writes minimal BTF for btf.objects', ['/usr/sbin', '/sbin']));
  return out;
}
