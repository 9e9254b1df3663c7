// One doctor check's result, and the common shape of a tool check: found on the
// host's PATH, with its version line.

import type { DoctorHost } from './host.js';

export interface CheckResult {
  name: string;
  /** ok: fine; warn: works but worse (e.g. no KVM); missing: a required piece is absent. */
  status: 'ok' | 'warn' | 'missing';
  detail: string;
  /** Debian package that provides what is missing. */
  aptPackage?: string;
}

/** `name` found at `found`: ok, with the first line of `found versionArgs…` when asked. */
export async function toolFound(host: DoctorHost, name: string, found: string, versionArgs?: string[]): Promise<CheckResult> {
  const version = versionArgs ? await host.version(found, versionArgs) : undefined;
  return { name, status: 'ok', detail: version ? `${found}: ${version}` : found };
}
