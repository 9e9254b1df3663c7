// OCI references and registry auth challenges. Pure parsing.

import { UsageError } from '../../errors.js';

export interface OciRef {
  registry: string;
  repository: string;
  /** Tag or digest (sha256:...). */
  reference: string;
  /** Base URL of the registry API; http only for localhost registries. */
  base: string;
}

export function parseOciRef(ref: string): OciRef {
  const slash = ref.indexOf('/');
  const registry = ref.slice(0, slash);
  let rest = ref.slice(slash + 1);
  let reference = 'latest';
  const at = rest.indexOf('@');
  if (at >= 0) {
    reference = rest.slice(at + 1);
    rest = rest.slice(0, at);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      reference = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
    }
  }
  if (!registry || !rest) throw new UsageError(`oci:${ref}: expected <registry>/<repository>[:tag|@sha256:...]`);
  // Plain http is allowed only on this machine (test registries); everything else is https.
  const local = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(registry);
  const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
  return { registry, repository: rest, reference, base: `${local ? 'http' : 'https'}://${host}` };
}

/** `Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:x:pull"` → its parameters. */
export function parseBearerChallenge(header: string | null): Record<string, string> | undefined {
  if (!header || !/^Bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
  return params.realm ? params : undefined;
}

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];
