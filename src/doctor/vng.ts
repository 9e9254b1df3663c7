// Doctor checks for `vm.backend: vng`. None of the three is fixed by one apt
// package on Debian stable, so each missing one says its own install command
// (scripts/install-vng does all three).

import { which } from '../host/which.js';
import { type CheckResult, toolFound } from './check.js';
import type { DoctorHost } from './host.js';

const SCRIPT = 'or run scripts/install-vng';

/** virtme-ng: not packaged for bookworm; PyPI has it. */
async function vngCheck(host: DoctorHost): Promise<CheckResult> {
  const found = which('vng', host.env);
  if (!found)
    return {
      name: 'vng',
      status: 'missing',
      detail: `not on PATH (vm.backend: vng); install: pip install virtme-ng==1.42, ${SCRIPT}`,
    };
  return toolFound(host, 'vng', found, ['--version']);
}

/**
 * vng needs the Rust virtiofsd: Debian's kernels have no 9p, and QEMU's old C
 * virtiofsd (bookworm's qemu-system-common) does not understand vng's flags.
 * The Rust one answers `--version` with "virtiofsd <semver>".
 */
export function isRustVirtiofsd(versionLine: string | undefined): boolean {
  return /^virtiofsd v?\d+\.\d+/.test(versionLine ?? '');
}

async function virtiofsdCheck(host: DoctorHost): Promise<CheckResult> {
  const install = `install: cargo install --locked virtiofsd@1.14.0, ${SCRIPT}`;
  const found = which('virtiofsd', host.env);
  if (!found)
    return {
      name: 'virtiofsd',
      status: 'missing',
      detail: `not on PATH (vng shares the root filesystem over virtiofs); ${install}`,
    };
  const version = await host.version(found, ['--version']);
  if (!isRustVirtiofsd(version)) {
    return {
      name: 'virtiofsd',
      status: 'missing',
      detail: `${found} is not the Rust virtiofsd (${version ?? 'no --version output'}); ${install}`,
    };
  }
  return { name: 'virtiofsd', status: 'ok', detail: `${found}: ${version}` };
}

/** Without udev on the host vng loses the guest command's exit code (docs/facts.md). */
async function udevCheck(host: DoctorHost): Promise<CheckResult> {
  const found = which('udevadm', host.env);
  if (!found)
    return {
      name: 'udev',
      status: 'missing',
      detail: 'udevadm not on PATH (vng needs udev on the host)',
      aptPackage: 'udev',
    };
  return toolFound(host, 'udev', found, ['--version']);
}

export async function vngChecks(host: DoctorHost): Promise<CheckResult[]> {
  return [await vngCheck(host), await virtiofsdCheck(host), await udevCheck(host)];
}
