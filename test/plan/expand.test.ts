// Matrix expansion: order, ids, exclude-then-include, expect, skips, loader paths.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandCells } from '../../src/plan/expand.js';
import { matrixFrom } from './helpers.js';

const head = (kernels: string, arches: string) => `kernels: ${kernels}\narches: ${arches}\nloader: {path: "loader-{arch}"}\n`;
const ids = async (yaml: string) => expandCells((await matrixFrom(yaml)).matrix).map((c) => c.id);

describe('expandCells', () => {
  it('orders kernels as written, then arches, configs, libcs', async () => {
    expect(await ids(`${head('[debian:trixie, debian:bookworm]', '[arm64, amd64]')}configs: [{name: b}, {name: a}]\n`)).toEqual([
      'arm64/debian-trixie/b',
      'arm64/debian-trixie/a',
      'amd64/debian-trixie/b',
      'amd64/debian-trixie/a',
      'arm64/debian-bookworm/b',
      'arm64/debian-bookworm/a',
      'amd64/debian-bookworm/b',
      'amd64/debian-bookworm/a',
    ]);
  });

  it('adds a libc segment only when libc is more than [static]', async () => {
    expect(await ids(`${head('[debian:trixie]', '[amd64]')}libc: [static]\n`)).toEqual(['amd64/debian-trixie/default']);
    expect(await ids(`${head('[debian:trixie]', '[amd64]')}libc: [debian:bookworm]\n`)).toEqual(['amd64/debian-trixie/default/debian-bookworm']);
    expect(await ids(`${head('[debian:trixie]', '[amd64]')}libc: [static, debian:trixie]\n`)).toEqual([
      'amd64/debian-trixie/default/static',
      'amd64/debian-trixie/default/debian-trixie',
    ]);
  });

  it('applies exclude, then include re-adds, in product order', async () => {
    const yaml = `${head('[debian:bookworm, debian:trixie]', '[amd64, s390x]')}exclude:\n  - {arch: s390x}\ninclude:\n  - {arch: s390x, kernel: debian:trixie}\n`;
    expect(await ids(yaml)).toEqual(['amd64/debian-bookworm/default', 'amd64/debian-trixie/default', 's390x/debian-trixie/default']);
  });

  it('warns about an include that adds nothing', async () => {
    const { warnings } = await matrixFrom(`${head('[debian:trixie]', '[amd64]')}include:\n  - {arch: amd64}\n`);
    expect(warnings).toEqual([expect.stringMatching(/^matrix\.yaml:5:5: include\[0\]: arch=amd64 adds no cell/)]);
  });

  it('marks expected failures, the first matching entry winning', async () => {
    const { matrix } = await matrixFrom(
      `${head('[debian:bookworm, debian:trixie]', '[amd64, s390x]')}expect:\n  - {arch: s390x, kernel: debian-bookworm, reason: no BTF}\n  - {arch: s390x, reason: slow}\n`,
    );
    expect(expandCells(matrix).map((c) => [c.id, c.expect?.reason])).toEqual([
      ['amd64/debian-bookworm/default', undefined],
      ['s390x/debian-bookworm/default', 'no BTF'],
      ['amd64/debian-trixie/default', undefined],
      ['s390x/debian-trixie/default', 'slow'],
    ]);
  });

  it('skips Debian kernels with no build for the arch, and applies config flavours to debian: sources', async () => {
    const { matrix } = await matrixFrom(
      `${head('[debian:bullseye, oci:ghcr.io/cilium/ci-kernels:6.1]', '[amd64, s390x]')}configs: [{name: default}, {name: cloud, flavour: cloud}]\n`,
    );
    const cells = expandCells(matrix).map((c) => [c.id, c.kernel.source, c.skip ?? 'run']);
    expect(cells).toEqual([
      ['amd64/debian-bullseye/default', 'debian:bullseye', 'run'],
      ['amd64/debian-bullseye/cloud', 'debian:bullseye/cloud', 'run'],
      ['s390x/debian-bullseye/default', 'debian:bullseye', 'Debian bullseye has no s390x kernel (bullseye is LTS-only)'],
      ['s390x/debian-bullseye/cloud', 'debian:bullseye/cloud', 'Debian bullseye has no s390x kernel (bullseye is LTS-only)'],
      ['amd64/oci-ci-kernels-6.1/default', 'oci:ghcr.io/cilium/ci-kernels:6.1', 'run'],
      ['amd64/oci-ci-kernels-6.1/cloud', 'oci:ghcr.io/cilium/ci-kernels:6.1', 'run'],
      ['s390x/oci-ci-kernels-6.1/default', 'oci:ghcr.io/cilium/ci-kernels:6.1', 'run'],
      ['s390x/oci-ci-kernels-6.1/cloud', 'oci:ghcr.io/cilium/ci-kernels:6.1', 'run'],
    ]);
  });

  it('skips Ubuntu cloud kernels on s390x; a config flavour applies where the distribution has it', async () => {
    const { matrix } = await matrixFrom(
      `${head('[ubuntu:noble/aws, ubuntu:jammy]', '[arm64, s390x]')}configs: [{name: default}, {name: hwe, flavour: hwe}, {name: cloud, flavour: cloud}]\n`,
    );
    const cells = expandCells(matrix).map((c) => [c.id, c.kernel.source, c.skip ?? 'run']);
    expect(cells).toEqual([
      ['arm64/ubuntu-noble-aws/default', 'ubuntu:noble/aws', 'run'],
      ['arm64/ubuntu-noble-aws/hwe', 'ubuntu:noble/hwe', 'run'],
      ['arm64/ubuntu-noble-aws/cloud', 'ubuntu:noble/aws', 'run'],
      ['s390x/ubuntu-noble-aws/default', 'ubuntu:noble/aws', 'Ubuntu builds no aws kernel for s390x'],
      ['s390x/ubuntu-noble-aws/hwe', 'ubuntu:noble/hwe', 'run'],
      ['s390x/ubuntu-noble-aws/cloud', 'ubuntu:noble/aws', 'Ubuntu builds no aws kernel for s390x'],
      ['arm64/ubuntu-jammy/default', 'ubuntu:jammy', 'run'],
      ['arm64/ubuntu-jammy/hwe', 'ubuntu:jammy/hwe', 'run'],
      ['arm64/ubuntu-jammy/cloud', 'ubuntu:jammy', 'run'],
      ['s390x/ubuntu-jammy/default', 'ubuntu:jammy', 'run'],
      ['s390x/ubuntu-jammy/hwe', 'ubuntu:jammy/hwe', 'run'],
      ['s390x/ubuntu-jammy/cloud', 'ubuntu:jammy', 'run'],
    ]);
  });

  it('fills placeholders in the loader path and expands file globs per arch', async () => {
    const { matrix, dir } = await matrixFrom(
      'kernels: [debian:trixie]\narches: [amd64, arm64]\nloader:\n  path: out/{goarch}/loader\n  files: ["bpf/*_{arch}.o", data/conf.json]\n  timeout: 30\n',
      { 'out/amd64/loader': '', 'out/arm64/loader': '', 'bpf/b_amd64.o': '', 'bpf/a_amd64.o': '', 'bpf/a_arm64.o': '' },
    );
    const cells = expandCells(matrix);
    const files = (names: string[]) => names.map((f) => ({ src: f, dest: '' }));
    expect(cells.map((c) => c.tests.map((t) => [t.path, t.files, t.timeoutSec]))).toEqual([
      [[path.join(dir, 'out/amd64/loader'), files([path.join(dir, 'bpf/a_amd64.o'), path.join(dir, 'bpf/b_amd64.o'), path.join(dir, 'data/conf.json')]), 30]],
      [[path.join(dir, 'out/arm64/loader'), files([path.join(dir, 'bpf/a_arm64.o'), path.join(dir, 'data/conf.json')]), 30]],
    ]);
    // The glob is injectable, which keeps expansion pure in tests that want it.
    const globbed = expandCells(matrix, { glob: (p) => [`globbed:${path.basename(p)}`] })[0]!.tests[0]!.files;
    expect(globbed).toEqual(files(['globbed:*_amd64.o', path.join(dir, 'data/conf.json')]));
  });
});
