// `portmatrix lock --check / --update` against a mirror that gains a newer kernel
// build between two runs. The mirror is the STAND-IN of Ubuntu's archive
// (ubuntu-mirror.ts: real Debian kernels repackaged in Ubuntu's layout, InRelease
// signed with a test key given through ubuntuKeyring, served on 127.0.0.1): this
// machine cannot reach Ubuntu. busybox comes from Debian's real archive.
// A user's session: lock, check (current), the archive moves, check (one kernel
// newer, lock untouched), update without network (refused, lock untouched), update.

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../plan/helpers.js';
import { type MirrorServer, serveMirror } from './mirror-server.js';
import { buildUbuntuMirror, type UbuntuMirror } from './ubuntu-mirror.js';

let mirror: UbuntuMirror;
let server: MirrorServer;
let project: string;

beforeAll(async () => {
  mirror = await buildUbuntuMirror(['amd64']);
  server = await serveMirror(mirror.root, '');
  project = await mkdtemp(path.join(os.tmpdir(), 'pm-lock-'));
  await writeFile(path.join(project, 'loader'), '#!/bin/sh\n');
  const matrix = [
    'kernels: [ubuntu:jammy]',
    'arches: [amd64]',
    'loader: {path: ./loader}',
    'images:',
    `  ubuntuMirror: ${server.url}/ubuntu`,
    `  ubuntuKeyring: ${mirror.keyring}`,
    '',
  ].join('\n');
  await writeFile(path.join(project, 'matrix.yaml'), matrix);
}, 1_200_000);
afterAll(async () => {
  await server?.close();
  mirror?.cleanup();
});

const env = () => ({ PATH: process.env.PATH, HOME: process.env.HOME });
const lock = (flag: string, extra: NodeJS.ProcessEnv = {}) => {
  const args = ['lock', flag, '--cache-dir', path.join(project, 'cache')];
  return cli(args, project, { ...env(), ...extra });
};
const lockText = () => readFile(path.join(project, 'portmatrix.lock'), 'utf8').catch(() => '(no lock)');
const jammy = (release: string, version: string) => `${release} ${version}`;

describe('portmatrix lock', () => {
  it('with no lock yet, --check lists every image as not locked and exits 1; --update writes the lock', async () => {
    const check = await lock('--check');
    expect(check.code, check.stderr).toBe(1);
    expect(check.stdout).toContain('kernel ubuntu:jammy amd64: (not locked) → 6.1.0-50-generic 6.1.0-50.60\n');
    expect(check.stdout).toMatch(/^busybox amd64: \(not locked\) → busybox-static /m);
    expect(await lockText()).toBe('(no lock)');

    const update = await lock('--update');
    expect(update.code, update.stderr).toBe(0);
    expect(update.stdout).toContain('portmatrix.lock: 2 updated\n');
    expect(JSON.parse(await lockText()).kernels['ubuntu:jammy amd64']).toMatchObject({ release: '6.1.0-50-generic' });
  });

  it('--check exits 0 and says the lock is current while the archive has nothing newer', async () => {
    const before = await lockText();
    const check = await lock('--check');
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toBe('portmatrix.lock is current\n');
    expect(await lockText()).toBe(before);
  });

  it('the archive gains a newer build: --check names that kernel alone, exits 1 and leaves the lock', async () => {
    const newer = await mirror.gain('jammy', 'amd64', { suite: 'trixie', abi: '6.12.117-13' });
    expect(newer.version).toBe('6.12.117-13.60');
    const before = await lockText();
    const check = await lock('--check');
    expect(check.code, check.stderr).toBe(1);
    const from = jammy('6.1.0-50-generic', '6.1.0-50.60');
    expect(check.stdout).toBe(
      `kernel ubuntu:jammy amd64: ${from} → ${jammy('6.12.117-13-generic', '6.12.117-13.60')}\n` +
        '1 newer than portmatrix.lock: portmatrix lock --update moves it\n',
    );
    expect(await lockText()).toBe(before);
  });

  it('--update without the network is a clear error and leaves the lock untouched', async () => {
    const before = await lockText();
    // Nothing listens on port 9 (discard) here: every connection is refused.
    const offline = {
      PORTMATRIX_UBUNTU_MIRROR: 'http://127.0.0.1:9/ubuntu',
      PORTMATRIX_DEBIAN_MIRROR: 'http://127.0.0.1:9/debian',
    };
    const update = await lock('--update', offline);
    expect(update.code).toBe(3);
    expect(update.stderr).toMatch(/cannot reach the sources to compare portmatrix\.lock with: /);
    expect(update.stderr).toContain('the lock is unchanged: check the network or the mirror settings and run again');
    expect(await lockText()).toBe(before);
  });

  it('--update moves the lock to the newer kernel; images update, sharing it, then finds it current', async () => {
    const update = await lock('--update');
    expect(update.code, update.stderr).toBe(0);
    const moved = `${jammy('6.1.0-50-generic', '6.1.0-50.60')} → ${jammy('6.12.117-13-generic', '6.12.117-13.60')}`;
    expect(update.stdout).toContain(`kernel ubuntu:jammy amd64: ${moved}\n`);
    const locked = JSON.parse(await lockText()).kernels['ubuntu:jammy amd64'];
    expect(locked).toMatchObject({ release: '6.12.117-13-generic', version: '6.12.117-13.60' });
    const images = await cli(['images', 'update', '--cache-dir', path.join(project, 'cache')], project, env());
    expect(images.code, images.stderr).toBe(0);
    expect(images.stdout).toContain('ubuntu:jammy amd64: 6.12.117-13-generic');
    expect(images.stdout).toContain('current, unchanged');
    expect(await lockText()).toContain('"release": "6.12.117-13-generic"');
  });
});
