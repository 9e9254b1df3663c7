// loadMatrix on good input: defaults, derived names, normalisation, warnings.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { loadMatrix } from '../../src/plan/load.js';
import { matrixFrom, project } from '../plan/helpers.js';

describe('loadMatrix', () => {
  it('fills every default declared in the schema', async () => {
    const { matrix, warnings, dir } = await matrixFrom('kernels: [debian:trixie]\narches: [amd64]\nloader: {path: "loader-{arch}"}\n');
    expect(warnings).toEqual([]);
    expect(matrix.file).toBe(path.join(dir, 'matrix.yaml'));
    expect(matrix.dir).toBe(dir);
    expect(matrix.configs).toEqual([{ name: 'default', cmdline: [], sysctl: {} }]);
    expect(matrix.libc).toEqual(['static']);
    expect(matrix.tests).toEqual([
      {
        name: 'loader',
        kind: 'exec',
        path: path.join(dir, 'loader-{arch}'),
        args: [],
        env: {},
        files: [],
        workdir: '',
        timeout: 60,
        line: 3,
      },
    ]);
    expect(matrix.vm).toEqual({
      memory: 512,
      cpus: 1,
      bootTimeout: 60,
      accel: 'auto',
      backend: 'qemu',
      network: false,
      snapshot: 'auto',
    });
    expect(matrix.images).toEqual({});
    expect([matrix.include, matrix.exclude, matrix.expect]).toEqual([[], [], []]);
  });

  it('derives kernel names from sources and keeps given names', async () => {
    const { matrix, dir } = await matrixFrom(
      [
        'kernels:',
        '  - debian:bookworm',
        '  - debian:trixie/cloud',
        '  - debian:sid/generic',
        '  - file:kernels/bzImage-6.6.efi',
        '  - oci:ghcr.io/cilium/ci-kernels:6.12',
        '  - oci:quay.io/lvh-images/kernel-images@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
        '  - {source: debian:bookworm-backports, name: bpo}',
        'arches: [amd64]',
        'loader: {path: "loader-{arch}"}',
      ].join('\n'),
      { 'kernels/bzImage-6.6.efi': 'kernel' },
    );
    expect(matrix.kernels).toEqual([
      { source: 'debian:bookworm', name: 'debian-bookworm', line: 2 },
      { source: 'debian:trixie/cloud', name: 'debian-trixie-cloud', line: 3 },
      { source: 'debian:sid/generic', name: 'debian-sid', line: 4 },
      { source: `file:${path.join(dir, 'kernels/bzImage-6.6.efi')}`, name: 'file-bzimage-6.6', line: 5 },
      { source: 'oci:ghcr.io/cilium/ci-kernels:6.12', name: 'oci-ci-kernels-6.12', line: 6 },
      { source: expect.stringMatching(/^oci:quay/), name: 'oci-kernel-images-0123456789ab', line: 7 },
      { source: 'debian:bookworm-backports', name: 'bpo', line: 8 },
    ]);
  });

  it('gives each kernel and config the BTF mode it writes, and none to the others', async () => {
    const { matrix } = await matrixFrom(
      [
        'kernels: [{source: debian:trixie, btf: none}, debian:bookworm]',
        'arches: [amd64]',
        'configs: [{name: plain}, {name: guessed, btf: auto}]',
        'loader: {path: "loader-{arch}"}',
        '',
      ].join('\n'),
    );
    expect(matrix.kernels.map((k) => [k.name, k.btf])).toEqual([
      ['debian-trixie', { kind: 'none' }],
      ['debian-bookworm', undefined],
    ]);
    expect(matrix.configs.map((c) => [c.name, c.btf])).toEqual([
      ['plain', undefined],
      ['guessed', { kind: 'auto' }],
    ]);
  });

  it('normalises configs: cmdline split, sysctl values as strings, capabilities without CAP_', async () => {
    const { matrix } = await matrixFrom(
      [
        'kernels: [debian:trixie]',
        'arches: [amd64]',
        'configs:',
        '  - name: unpriv',
        '    cmdline: "lockdown=integrity  quiet"',
        '    sysctl: {kernel.unprivileged_bpf_disabled: 0, net.core.bpf_jit_enable: true}',
        '    user: 1000',
        '    capabilities: [CAP_BPF, cap_perfmon, net_admin]',
        '    flavour: cloud',
        'loader: {path: "loader-{arch}", args: [-v, 3], env: {DEBUG: 1}, timeout: 2.5}',
      ].join('\n'),
    );
    expect(matrix.configs).toEqual([
      {
        name: 'unpriv',
        cmdline: ['lockdown=integrity', 'quiet'],
        sysctl: { 'kernel.unprivileged_bpf_disabled': '0', 'net.core.bpf_jit_enable': 'true' },
        user: '1000',
        capabilities: ['bpf', 'perfmon', 'net_admin'],
        flavour: 'cloud',
        line: 4,
      },
    ]);
    expect(matrix.tests[0]).toMatchObject({ args: ['-v', '3'], env: { DEBUG: '1' }, timeout: 2.5 });
  });

  it('warns, located, about an exclude or expect that matches no cell', async () => {
    const { warnings } = await matrixFrom(
      [
        'kernels: [debian:bookworm, debian:trixie]',
        'arches: [amd64, arm64]',
        'loader: {path: "loader-{arch}"}',
        'exclude:',
        '  - {arch: arm64}',
        '  - {arch: arm64, kernel: debian-trixie}',
        'expect:',
        '  - {arch: arm64, reason: gone}',
        '  - {kernel: debian:trixie, reason: fine}',
      ].join('\n'),
    );
    expect(warnings).toEqual([
      'matrix.yaml:6:5: exclude[1]: arch=arm64,kernel=debian-trixie matches no cell (an earlier exclude already removed them)',
      'matrix.yaml:8:5: expect[0]: arch=arm64 matches no cell (they are all excluded)',
    ]);
  });

  it('names the file as given, relative to cwd when absolute inside it', async () => {
    const dir = project({ 'sub/m.yaml': 'kernels: []\n' });
    const check = async (file: string, shown: string) => {
      const error = await loadMatrix(file, { cwd: dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(new RegExp(`^${shown}:1:1: arches: is missing`));
    };
    await check('sub/m.yaml', 'sub/m.yaml');
    await check(path.join(dir, 'sub/m.yaml'), 'sub/m.yaml');
  });

  it('does not check loader files unless asked', async () => {
    const dir = project({
      'matrix.yaml': 'kernels: [debian:trixie]\narches: [amd64]\nloader: {path: "build/missing-{arch}"}\n',
    });
    const unchecked = loadMatrix('matrix.yaml', { cwd: dir });
    const loader = { name: 'loader', path: path.join(dir, 'build/missing-{arch}') };
    await expect(unchecked).resolves.toMatchObject({ matrix: { arches: ['amd64'], tests: [loader] }, warnings: [] });
    await expect(loadMatrix('matrix.yaml', { cwd: dir, checkLoaderFiles: true })).rejects.toThrow(
      'matrix.yaml:3:16: loader.path: the loader for amd64 (build/missing-amd64) does not exist',
    );
  });
});
