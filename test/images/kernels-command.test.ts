// `portmatrix kernels` against the REAL Debian mirror: what bookworm-backports offers
// today, read from its signed index, as a user choosing a kernel would ask.

import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../plan/helpers.js';

describe('portmatrix kernels', () => {
  it('kernels debian:bookworm-backports lists 6.12 kernels for amd64, arm64 and s390x', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-kernels-'));
    const run = await cli(['kernels', 'debian:bookworm-backports', '--cache-dir', path.join(dir, 'cache')], dir, {
      PATH: process.env.PATH,
    });
    expect(run.code, run.stderr).toBe(0);
    const rows = run.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s{2,}/));
    const generic = rows.filter((r) => r[1] === 'generic');
    expect(generic.map((r) => r[2])).toEqual(['amd64', 'arm64', 's390x']);
    for (const [, , arch, release, version, pkg] of generic) {
      expect(release).toMatch(new RegExp(`^6\\.12\\.\\d+\\+deb12-${arch}$`));
      expect(version).toMatch(/^6\.12\.\d+-\d+~bpo12\+\d+$/);
      expect(pkg).toMatch(new RegExp(`^linux-image-${release!.replace(/[.+]/g, '\\$&')}(-unsigned)?$`));
    }
    // Debian builds no cloud kernel for s390x: said so, not left out silently.
    expect(rows.find((r) => r[1] === 'cloud' && r[2] === 's390x')?.[3]).toMatch(/^— Debian has no cloud kernel flavour for s390x/);
    expect(run.stderr).toMatch(/^read \d{4}-\d\d-\d\d from the signed index; \d+ HTTP requests$/m);
  }, 300_000);

  it('an unknown release or distribution is a usage error that lists the known ones', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-kernels-'));
    const bad = await cli(['kernels', 'ubuntu:bionic'], dir, { PATH: process.env.PATH });
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'portmatrix: kernels ubuntu:bionic: unknown Ubuntu series; use one of focal, jammy, noble, plucky, questing, resolute\n',
    ]);
    const scheme = await cli(['kernels', 'gentoo'], dir, { PATH: process.env.PATH });
    expect(scheme.stderr).toMatch(/^portmatrix: kernels gentoo: not a distribution; use one of debian, ubuntu, almalinux/);
  });
});
