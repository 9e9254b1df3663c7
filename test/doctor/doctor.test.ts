// `portmatrix doctor`: real CLI with an empty PATH, and checks on an injected host.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import doctor from '../../src/commands/doctor.js';
import { keyringCheck, kvmCheck, nodeCheck, runChecks } from '../../src/doctor/checks.js';
import { hostFromEnv } from '../../src/doctor/host.js';
import { renderDoctor } from '../../src/doctor/render.js';
import { which } from '../../src/host/which.js';
import { cli } from '../plan/helpers.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-'));
}

/** A directory of fake tools that print a version line. */
function fakeBin(tools: string[]): string {
  const dir = tmp();
  for (const t of tools) {
    fs.writeFileSync(path.join(dir, t), `#!/bin/sh\necho "${t} version 9.9"\n`, { mode: 0o755 });
  }
  return dir;
}

describe('portmatrix doctor', () => {
  it('with nothing on PATH names every package in one command and exits 3', async () => {
    const cwd = tmp();
    const run = await cli(['doctor'], cwd, { PATH: tmp(), HOME: cwd });
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^no matrix\.yaml here: checking every arch \(amd64, arm64, s390x\)\n/);
    expect(run.stdout).toMatch(/MISSING +qemu-system-s390x +not on PATH \(boots the s390x cells\); install: sudo apt-get install qemu-system-misc\n/);
    expect(run.stdout).toContain('MISSING  gpgv');
    expect(run.stdout).toContain('MISSING  dpkg-deb');
    expect(run.stdout).toContain('\nInstall them with:\n  sudo apt-get install qemu-system-x86 qemu-system-arm qemu-system-misc gpgv dpkg');
  });

  it('checks only the arches of the matrix', async () => {
    const cwd = tmp();
    fs.writeFileSync(path.join(cwd, 'matrix.yaml'), 'kernels: [debian:trixie]\narches: [arm64]\nloader: {path: x}\n');
    const bin = fakeBin(['qemu-system-aarch64', 'gpgv', 'dpkg-deb']);
    const out: string[] = [];
    const code = await doctor(
      {
        cwd,
        env: { PATH: bin, HOME: cwd },
        stdout: { write: (s: string) => out.push(s) } as never,
        stderr: process.stderr,
        signal: new AbortController().signal,
      },
      {
        matrix: 'matrix.yaml',
        host: { keyringPath: path.join(cwd, 'matrix.yaml'), nodeVersion: '20.19.0', kvmPath: path.join(cwd, 'no-kvm') },
      },
    );
    const text = out.join('');
    expect(text).toMatch(/^arches of matrix\.yaml: arm64\n/);
    expect(text).toContain(`ok       qemu-system-aarch64     ${bin}/qemu-system-aarch64: qemu-system-aarch64 version 9.9`);
    expect(text).not.toContain('qemu-system-x86_64');
    expect(text).toContain('warn     kvm');
    expect(text).toContain('Everything portmatrix needs is here.');
    expect(code).toBe(0);
  });

  it('names dwarves when a matrix asks for btf: auto and pahole is missing', async () => {
    const cwd = tmp();
    fs.writeFileSync(path.join(cwd, 'matrix.yaml'), 'kernels: [debian:bookworm]\narches: [s390x]\nconfigs: [{name: default, btf: auto}]\nloader: {path: x}\n');
    const bin = fakeBin(['qemu-system-s390x', 'gpgv', 'dpkg-deb']);
    const out: string[] = [];
    const code = await doctor(
      {
        cwd,
        env: { PATH: bin, HOME: cwd },
        stdout: { write: (s: string) => out.push(s) } as never,
        stderr: process.stderr,
        signal: new AbortController().signal,
      },
      {
        matrix: 'matrix.yaml',
        host: { keyringPath: path.join(cwd, 'matrix.yaml'), nodeVersion: '20.19.0', kvmPath: path.join(cwd, 'no-kvm') },
      },
    );
    const text = out.join('');
    expect(text).toMatch(
      /MISSING +pahole +not on PATH \(generates BTF for kernels built without it \(btf: auto, min\)\); install: sudo apt-get install dwarves\n/,
    );
    expect(text).not.toContain('bpftool'); // no btf.objects: minimal BTF is not needed
    expect(code).toBe(3);
  });
});

describe("portmatrix doctor: keyrings of the matrix's distributions", () => {
  const run = async (matrix: string) => {
    const cwd = tmp();
    fs.writeFileSync(path.join(cwd, 'matrix.yaml'), matrix);
    const bin = fakeBin(['qemu-system-x86_64', 'gpgv', 'dpkg-deb']);
    const out: string[] = [];
    const code = await doctor(
      {
        cwd,
        env: { PATH: bin, HOME: cwd },
        stdout: { write: (s: string) => out.push(s) } as never,
        stderr: process.stderr,
        signal: new AbortController().signal,
      },
      { matrix: 'matrix.yaml', host: { nodeVersion: '20.19.0', kvmPath: path.join(cwd, 'no-kvm') } },
    );
    return { code, text: out.join(''), cwd };
  };

  it("ubuntu: the archive keyring comes from Debian's ubuntu-keyring; a given keyring that is absent is missing", async () => {
    const dflt = await run('kernels: [ubuntu:jammy]\narches: [amd64]\nloader: {path: x}\n');
    expect(dflt.text).toMatch(/ok +keyring ubuntu +ubuntu-archive-keyring\.gpg of Debian trixie's ubuntu-keyring \(fetched when first needed\)/);
    const given = await run('kernels: [ubuntu:jammy]\narches: [amd64]\nimages: {ubuntuKeyring: keys/ubuntu.gpg}\nloader: {path: x}\n');
    expect(given.text).toContain(`MISSING  keyring ubuntu`);
    expect(given.text).toContain(`${path.join(given.cwd, 'keys/ubuntu.gpg')} absent (ubuntuKeyring: verifies the Ubuntu archive's InRelease)`);
    expect(given.code).toBe(3);
  });

  it('debianKeyring replaces the Debian keyring the doctor checks', async () => {
    const { text } = await run('kernels: [debian:trixie]\narches: [amd64]\nimages: {debianKeyring: /nowhere/debian.gpg}\nloader: {path: x}\n');
    expect(text).toMatch(/MISSING +debian-archive-keyring +\/nowhere\/debian\.gpg absent/);
  });
});

describe('doctor checks', () => {
  const host = (over: object = {}) => ({ ...hostFromEnv({ PATH: '' }, '/', tmp()), ...over });

  it('finds executables on PATH only', () => {
    const bin = fakeBin(['gpgv']);
    fs.writeFileSync(path.join(bin, 'notexec'), '', { mode: 0o644 });
    expect(which('gpgv', { PATH: `/nonexistent:${bin}` })).toBe(path.join(bin, 'gpgv'));
    expect(which('notexec', { PATH: bin })).toBeUndefined();
    expect(which('gpgv', {})).toBeUndefined();
  });

  it('node: 20.19 or newer', () => {
    expect(nodeCheck('20.19.0').status).toBe('ok');
    expect(nodeCheck('v22.1.0').status).toBe('ok');
    expect(nodeCheck('20.18.3')).toEqual({
      name: 'node',
      status: 'missing',
      detail: 'v20.18.3 is older than 20.19.0; install Node 20.19.0 or newer (https://nodejs.org)',
    });
  });

  it('kvm: absent or unopenable is a warning, not a failure', () => {
    expect(kvmCheck(host({ kvmPath: '/nonexistent/kvm' }))).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('every cell runs under TCG'),
    });
    const file = path.join(tmp(), 'kvm');
    fs.writeFileSync(file, '');
    expect(kvmCheck(host({ kvmPath: file, hostArch: 'amd64' }))).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('usable only for amd64 guests'),
    });
  });

  it('keyring: missing names debian-archive-keyring', () => {
    expect(keyringCheck(host({ keyringPath: '/nonexistent.gpg' }))).toMatchObject({
      status: 'missing',
      aptPackage: 'debian-archive-keyring',
    });
  });

  it('asks for virtme-ng only when the matrix uses it', async () => {
    const names = async (vng: boolean) => (await runChecks(host(), { arches: ['amd64'], vng })).map((r) => r.name);
    expect(await names(false)).toEqual(['qemu-system-x86_64', 'kvm', 'gpgv', 'debian-archive-keyring', 'dpkg-deb', 'disk', 'node']);
    expect(await names(true)).toContain('vng');
  });

  it('renders one install command for every missing package, once each', () => {
    const text = renderDoctor([
      { name: 'a', status: 'missing', detail: 'x', aptPackage: 'qemu-system-arm' },
      { name: 'b', status: 'missing', detail: 'y', aptPackage: 'qemu-system-arm' },
      { name: 'node', status: 'missing', detail: 'old' },
      { name: 'kvm', status: 'warn', detail: 'z' },
    ]);
    expect(text.split('\n').slice(-4)).toEqual(['3 required pieces are missing.', 'Install it with:', '  sudo apt-get install qemu-system-arm', '']);
  });
});
