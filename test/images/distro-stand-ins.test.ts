// The one matrix of `npm run distros`: every source × every arch, minus the arches a
// stand-in lacks while the distribution builds them; an arch the distribution does not
// build stays in, for portmatrix to skip with its reason.

import { describe, expect, it } from 'vitest';
import { DISTRO_SOURCES, distrosMatrix, notBuilt, standInGaps } from './distro-stand-ins.js';

describe('the distributions matrix over the stand-ins', () => {
  it('leaves out only what the stand-ins lack and the distributions build', () => {
    expect(standInGaps(DISTRO_SOURCES)).toEqual([
      { kernel: 'centos-stream:10', arch: 'arm64' },
      { kernel: 'centos-stream:10', arch: 's390x' },
      { kernel: 'oraclelinux:9/uek', arch: 'arm64' },
      { kernel: 'fedora:43', arch: 'arm64' },
    ]);
    expect(notBuilt('amazonlinux:2023', 's390x')).toMatch(/Amazon Linux 2023 is not built for s390x/);
    expect(notBuilt('oraclelinux:9/uek', 's390x')).toMatch(/Oracle Linux 9 is not built for s390x/);
    expect(notBuilt('ubuntu:noble/hwe', 's390x')).toBeUndefined();
  });

  it('writes the mirrors, keyrings and loader into one matrix', () => {
    const yaml = distrosMatrix({ ubuntuMirror: 'http://127.0.0.1:1/ubuntu', fedoraKeyring: '/k.asc' }, '/bin/x-{goarch}', ['ubuntu:jammy', 'fedora:43']);
    expect(yaml).toBe(
      [
        'kernels: [ubuntu:jammy, fedora:43]',
        'arches: [amd64, arm64, s390x]',
        '# Arches the distribution builds but its stand-in does not hold.',
        'exclude:',
        "  - {arch: arm64, kernel: 'fedora:43'}",
        'images:',
        '  ubuntuMirror: http://127.0.0.1:1/ubuntu',
        '  fedoraKeyring: /k.asc',
        'loader:',
        '  path: /bin/x-{goarch}',
        '  timeout: 60',
        '',
      ].join('\n'),
    );
  });

  it('refuses a source it has no stand-in for', () => {
    expect(() => standInGaps(['rocky:9'])).toThrow(/no stand-in for rocky:9/);
  });
});
