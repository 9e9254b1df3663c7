// Host checks for `portmatrix doctor`. Each check is a small function of the
// injected host; a failed required check names the Debian package that fixes it.

import fs from 'node:fs';
import path from 'node:path';
import type { Arch } from '../core/arch.js';
import { which } from '../host/which.js';
import { type BtfNeeds, btfChecks } from './btf.js';
import { type CheckResult, toolFound } from './check.js';
import type { DoctorHost } from './host.js';
import { vngChecks } from './vng.js';

export const QEMU: Record<Arch, { binary: string; aptPackage: string }> = {
  amd64: { binary: 'qemu-system-x86_64', aptPackage: 'qemu-system-x86' },
  arm64: { binary: 'qemu-system-aarch64', aptPackage: 'qemu-system-arm' },
  s390x: { binary: 'qemu-system-s390x', aptPackage: 'qemu-system-misc' },
};

/** Node must satisfy package.json engines. */
export const MIN_NODE = '20.19.0';
/** Below this the cache cannot hold even one kernel package and its unpacked image. */
const DISK_REQUIRED = 256 * 2 ** 20;
/** A matrix of a dozen kernels × arches needs a few GiB of cached packages. */
const DISK_COMFORTABLE = 2 * 2 ** 30;

async function tool(host: DoctorHost, name: string, aptPackage: string, versionArgs: string[] | undefined, purpose: string): Promise<CheckResult> {
  const found = which(name, host.env);
  if (!found) return { name, status: 'missing', detail: `not on PATH (${purpose})`, aptPackage };
  return toolFound(host, name, found, versionArgs);
}

export function qemuCheck(host: DoctorHost, arch: Arch): Promise<CheckResult> {
  const { binary, aptPackage } = QEMU[arch];
  return tool(host, binary, aptPackage, ['--version'], `boots the ${arch} cells`);
}

export function kvmCheck(host: DoctorHost): CheckResult {
  const scope = `usable only for ${host.hostArch} guests (guest arch = host arch); the real probe is a test boot at run time`;
  if (!fs.existsSync(host.kvmPath)) return { name: 'kvm', status: 'warn', detail: `${host.kvmPath} absent: every cell runs under TCG (slower)` };
  try {
    fs.closeSync(fs.openSync(host.kvmPath, 'r+'));
    return { name: 'kvm', status: 'ok', detail: `${host.kvmPath} opens read-write; ${scope}` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      name: 'kvm',
      status: 'warn',
      detail: `${host.kvmPath} exists but cannot be opened read-write (${code}): add yourself to group kvm (sudo usermod -aG kvm $USER); until then cells run under TCG`,
    };
  }
}

export function keyringCheck(host: DoctorHost): CheckResult {
  if (fs.existsSync(host.keyringPath)) return { name: 'debian-archive-keyring', status: 'ok', detail: host.keyringPath };
  return {
    name: 'debian-archive-keyring',
    status: 'missing',
    detail: `${host.keyringPath} absent (verifies Debian's signed package indexes)`,
    aptPackage: 'debian-archive-keyring',
  };
}

export function nodeCheck(version: string): CheckResult {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const [wantMajor = 0, wantMinor = 0] = MIN_NODE.split('.').map(Number);
  const ok = major > wantMajor || (major === wantMajor && minor >= wantMinor);
  return ok
    ? { name: 'node', status: 'ok', detail: `v${version.replace(/^v/, '')}` }
    : {
        name: 'node',
        status: 'missing',
        detail: `v${version.replace(/^v/, '')} is older than ${MIN_NODE}; install Node ${MIN_NODE} or newer (https://nodejs.org)`,
      };
}

/** The nearest existing ancestor: the cache directory may not exist yet. */
function existingAncestor(dir: string): string {
  let current = dir;
  while (!fs.existsSync(current) && path.dirname(current) !== current) current = path.dirname(current);
  return current;
}

export function diskCheck(host: DoctorHost): CheckResult {
  const where = existingAncestor(host.cacheDir);
  const stats = fs.statfsSync(where);
  const free = stats.bavail * stats.bsize;
  const detail = `${(free / 2 ** 30).toFixed(1)} GiB free for the cache ${host.cacheDir}`;
  if (free < DISK_REQUIRED)
    return {
      name: 'disk',
      status: 'missing',
      detail: `${detail}; need at least 256 MiB (set --cache-dir or $PORTMATRIX_CACHE elsewhere)`,
    };
  if (free < DISK_COMFORTABLE) return { name: 'disk', status: 'warn', detail: `${detail}; a full matrix may need a few GiB` };
  return { name: 'disk', status: 'ok', detail };
}

/** A keyring a kernel source of the matrix verifies against (images' TrustRoot, as data). */
export interface TrustNeed {
  scheme: string;
  path: string;
  present: boolean;
  aptPackage?: string;
  detail: string;
}

/** One line per keyring the matrix's distributions need beyond Debian's own. */
export function trustChecks(needs: readonly TrustNeed[]): CheckResult[] {
  return needs.map((t) => ({
    name: `keyring ${t.scheme}`,
    status: t.present ? 'ok' : 'missing',
    detail: t.present ? `${t.path}: ${t.detail}` : `${t.path} absent (${t.detail})`,
    ...(t.present || !t.aptPackage ? {} : { aptPackage: t.aptPackage }),
  }));
}

export interface DoctorNeeds {
  arches: Arch[];
  /** Keyrings of the matrix's kernel sources other than the host's Debian keyring. */
  trust?: TrustNeed[];
  /** The matrix uses the virtme-ng backend. */
  vng: boolean;
  /** What the matrix's BTF settings need (pahole, bpftool). */
  btf?: BtfNeeds;
}

export async function runChecks(host: DoctorHost, needs: DoctorNeeds): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const arch of needs.arches) results.push(await qemuCheck(host, arch));
  results.push(kvmCheck(host));
  results.push(await tool(host, 'gpgv', 'gpgv', ['--version'], "verifies Debian's InRelease signatures"));
  results.push(keyringCheck(host));
  results.push(...trustChecks(needs.trust ?? []));
  results.push(await tool(host, 'dpkg-deb', 'dpkg', ['--version'], 'unpacks kernel and libc packages'));
  if (needs.vng) results.push(...(await vngChecks(host)));
  results.push(...btfChecks(host, needs.btf));
  results.push(diskCheck(host));
  results.push(nodeCheck(host.nodeVersion));
  return results;
}
