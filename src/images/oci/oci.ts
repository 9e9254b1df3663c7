// oci:<ref> kernels (e.g. cilium's ci-kernels): anonymous token flow, manifest or
// index (platform linux/<arch>), every blob verified by digest and cached by it,
// layers unpacked to take /boot/vmlinuz and /boot/config*. The platform manifest
// digest is what the lock pins.

import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Arch } from '../../core/arch.js';
import { InfraError } from '../../errors.js';
import { VerificationError } from '../apt/debian-index.js';
import { type Cache, sha256Buffer } from '../cache.js';
import type { Fetcher } from '../fetcher.js';
import { detectKernel } from '../kernel-header.js';
import type { LockedKernel } from '../lockfile.js';
import { requireTool, runTool } from '../tools.js';
import { MANIFEST_TYPES, type OciRef, parseBearerChallenge, parseOciRef } from './oci-ref.js';

export interface OciDeps {
  cache: Cache;
  fetcher: Fetcher;
  log: (line: string) => void;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string };
}

/** A registry session: one bearer token, fetched when the first 401 asks for it. */
function session(deps: OciDeps, ref: OciRef) {
  let auth: Record<string, string> = {};
  async function get(url: string, accept?: string): Promise<Buffer> {
    for (let round = 0; round < 2; round++) {
      const res = await deps.fetcher.toBuffer(url, { ...auth, ...(accept ? { accept } : {}) });
      if (res.status === 401 && round === 0) {
        const challenge = parseBearerChallenge(res.headers.get('www-authenticate'));
        if (!challenge) throw new InfraError(`${url}: 401 without a Bearer challenge; only anonymous pulls are supported`);
        const q = new URLSearchParams({
          ...(challenge.service ? { service: challenge.service } : {}),
          scope: challenge.scope ?? `repository:${ref.repository}:pull`,
        });
        const tok = await deps.fetcher.toBuffer(`${challenge.realm}?${q}`);
        if (tok.status !== 200) throw new InfraError(`token endpoint ${challenge.realm} answered ${tok.status}`);
        const body = JSON.parse(tok.body.toString()) as { token?: string; access_token?: string };
        auth = { authorization: `Bearer ${body.token ?? body.access_token}` };
        continue;
      }
      if (res.status !== 200) throw new InfraError(`${url}: HTTP ${res.status}`);
      return res.body;
    }
    throw new InfraError(`${url}: still unauthorized after the token flow`);
  }
  return { get, auth: () => auth };
}

const verifyDigest = (what: string, digest: string, bytes: Buffer) => {
  const actual = `sha256:${sha256Buffer(bytes)}`;
  if (actual !== digest) throw new VerificationError(`${what}: digest ${actual} does not match ${digest}`);
};

/** Fetches and verifies the manifest for the arch; returns it and its digest. */
async function platformManifest(
  _deps: OciDeps,
  s: ReturnType<typeof session>,
  ref: OciRef,
  arch: Arch,
  pinned?: string,
): Promise<{ digest: string; layers: Descriptor[] }> {
  let reference = pinned ?? ref.reference;
  for (let depth = 0; depth < 2; depth++) {
    const body = await s.get(`${ref.base}/v2/${ref.repository}/manifests/${reference}`, MANIFEST_TYPES.join(', '));
    const digest = reference.startsWith('sha256:') ? reference : `sha256:${sha256Buffer(body)}`;
    verifyDigest(`manifest ${reference}`, digest, body);
    const doc = JSON.parse(body.toString()) as { manifests?: Descriptor[]; layers?: Descriptor[] };
    if (doc.layers) return { digest, layers: doc.layers };
    const match = doc.manifests?.find((m) => m.platform?.os === 'linux' && m.platform?.architecture === arch);
    if (!match) throw new InfraError(`oci:${ref.registry}/${ref.repository}:${ref.reference} has no linux/${arch} image`);
    reference = match.digest;
  }
  throw new InfraError(`oci:${ref.repository}: nested index too deep`);
}

/** Each layer from the cache or the registry (verified by digest), unpacked into `scratch`. */
async function unpackLayers(deps: OciDeps, s: ReturnType<typeof session>, ref: OciRef, layers: Descriptor[], scratch: string): Promise<void> {
  const tar = requireTool('tar', deps.env);
  for (const layer of layers) {
    const hex = layer.digest.replace(/^sha256:/, '');
    let blob = await deps.cache.verifiedBlob(hex);
    if (!blob) {
      const tmp = await deps.cache.tempBlobPath(hex);
      const got = await deps.fetcher.toFile(
        `${ref.base}/v2/${ref.repository}/blobs/${layer.digest}`,
        tmp,
        `${ref.repository}@${layer.digest.slice(0, 19)}`,
        s.auth(),
      );
      if (got.sha256 !== hex) {
        await rm(tmp, { force: true });
        throw new VerificationError(`layer ${layer.digest}: downloaded content has sha256:${got.sha256}`);
      }
      blob = await deps.cache.commitBlob(tmp, hex);
    }
    // tar detects gzip itself (-a is for creation); plain tar layers work the same.
    const res = await runTool(tar, ['-x', '-C', scratch, '-f', blob], deps);
    if (res.code !== 0) throw new InfraError(`cannot unpack layer ${layer.digest}: ${res.stderr.trim()}`);
  }
}

/** The kernel (and config) under the unpacked image's /boot, stored in the cache. */
async function bootFiles(deps: OciDeps, scratch: string, refText: string, arch: Arch) {
  const boot = path.join(scratch, 'boot');
  const entries = await readdir(boot).catch(() => [] as string[]);
  const kernelName = entries.includes('vmlinuz') ? 'vmlinuz' : entries.find((e) => /^(vmlinuz|bzImage|Image)/.test(e));
  if (!kernelName) throw new InfraError(`oci:${refText} has no /boot/vmlinuz in its layers`);
  const configName = entries.find((e) => e.startsWith('config'));
  const kernelBytes = await readFile(path.join(boot, kernelName));
  const info = detectKernel(kernelBytes.subarray(0, 64 * 1024));
  if (info.arch && info.arch !== arch) throw new InfraError(`oci:${refText} for linux/${arch} holds a ${info.arch} kernel`);
  const kernelSha256 = await deps.cache.putBytes(kernelBytes);
  const configSha256 = configName ? await deps.cache.putBytes(await readFile(path.join(boot, configName))) : undefined;
  return { release: info.release, kernelSha256, configSha256 };
}

export async function ociKernel(deps: OciDeps, source: string, refText: string, arch: Arch, locked?: LockedKernel): Promise<LockedKernel> {
  if (
    locked?.kernelSha256 &&
    (await deps.cache.verifiedBlob(locked.kernelSha256)) &&
    (!locked.configSha256 || (await deps.cache.verifiedBlob(locked.configSha256)))
  ) {
    return locked; // pinned and cached: no network at all
  }
  const ref = parseOciRef(refText);
  const s = session(deps, ref);
  const manifest = await platformManifest(deps, s, ref, arch, locked?.manifestDigest);
  const scratch = await deps.cache.scratchDir();
  try {
    await unpackLayers(deps, s, ref, manifest.layers, scratch);
    const { release, kernelSha256, configSha256 } = await bootFiles(deps, scratch, refText, arch);
    if (locked?.kernelSha256 && locked.kernelSha256 !== kernelSha256) {
      throw new InfraError(`oci:${refText}: kernel sha256 ${kernelSha256} differs from the lock; run \`portmatrix images update\``);
    }
    const image = {
      package: `${ref.registry}/${ref.repository}`,
      version: ref.reference,
      manifestDigest: manifest.digest,
    };
    return { source, arch, release: release ?? ref.reference, ...image, kernelSha256, configSha256 };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
