// The base initramfs and the cell's inputs archive, read back with the real cpio(1).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSpec } from '../../src/core/cell.js';
import { busyboxApplets, FALLBACK_APPLETS } from '../../src/guest/applets.js';
import { writeCpio } from '../../src/guest/cpio.js';
import { buildBaseInitramfs } from '../../src/guest/initramfs.js';
import { suiteInputEntries } from '../../src/guest/suite-inputs.js';
import { devBusybox } from '../helpers/dev-kernels.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pm-initramfs-'));
const p = (n: string) => path.join(dir, n);
let busybox: string;

beforeAll(async () => {
  busybox = await devBusybox('amd64');
  writeFileSync(p('loader'), '#!/bin/sh\necho hi\n');
  mkdirSync(p('a'));
  mkdirSync(p('b'));
  writeFileSync(p('a/prog.bpf.o'), 'BPF');
  writeFileSync(p('b/prog.bpf.o'), 'other');
  writeFileSync(p('config.json'), '{}');
  // A fake unpacked libc6 tree: files, a symlink, and an /etc/passwd we must override.
  mkdirSync(p('libc/lib/x86_64-linux-gnu'), { recursive: true });
  mkdirSync(p('libc/etc'));
  writeFileSync(p('libc/lib/x86_64-linux-gnu/libc.so.6'), 'ELF libc');
  symlinkSync('lib', p('libc/lib64'));
  writeFileSync(p('libc/etc/passwd'), 'from libc\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A `loader:` matrix's cell inputs (its one test, index 0) as the uncompressed archive the guest unpacks. */
interface LoaderInputs {
  loader: string;
  files: string[];
  script: string;
  libcDir?: string;
  extra?: { hostPath: string; guestPath: string; mode?: number }[];
}
const inputs = async ({ loader, files, ...rest }: LoaderInputs) => {
  const spec: TestSpec = {
    name: 'loader',
    kind: 'exec',
    path: loader,
    args: [],
    env: {},
    files: files.map((src) => ({ src, dest: '' })),
    workdir: '',
    timeoutSec: 1,
  };
  return writeCpio(await suiteInputEntries({ arch: 'amd64', tests: [{ index: 0, spec }], ...rest }));
};
const isGzip = (b: Buffer) => b[0] === 0x1f && b[1] === 0x8b;

function listing(archive: Buffer): Map<string, string> {
  const r = spawnSync('cpio', ['-t', '-v', '--quiet'], { input: isGzip(archive) ? gunzipSync(archive) : archive });
  if (r.error) throw new Error(`cpio not runnable (apt-get install cpio): ${r.error.message}`);
  // cpio -tv prints ls -l style lines: mode links owner group size/dev date name [-> target]
  return new Map(
    r.stdout
      .toString()
      .trim()
      .split('\n')
      .map((l) => {
        const name = l.replace(/^.*? (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d+ +\d+ /, '');
        return [name.replace(/ -> .*$/, ''), l] as const;
      }),
  );
}

describe('buildBaseInitramfs', () => {
  it('lays out busybox, applets, devices, passwd, modules and /init', async () => {
    writeFileSync(p('virtio_console.ko'), 'MODULE');
    const gz = await buildBaseInitramfs({
      arch: 'amd64',
      busybox,
      init: '#!/bin/sh\necho init\n',
      modules: [{ name: 'virtio_console', path: p('virtio_console.ko') }],
    });
    expect(gz.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const ls = listing(gz);
    expect(ls.get('bin/busybox')).toMatch(/^-rwxr-xr-x /);
    for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin']) {
      for (const applet of ['sh', 'mount', 'true', 'setpriv', 'base64', 'poweroff', 'cpio', 'insmod'])
        expect(ls.get(`${d}/${applet}`), `${d}/${applet}`).toMatch(/^l.* -> /);
    }
    expect(ls.get('usr/bin/sh')).toMatch(/-> \.\.\/\.\.\/bin\/busybox$/);
    expect(ls.get('bin/sh')).toMatch(/-> busybox$/);
    expect(ls.get('dev/console')).toMatch(/^crw------- .* 5, +1 /);
    expect(ls.get('dev/null')).toMatch(/^crw-rw-rw- .* 1, +3 /);
    for (const d of ['proc', 'sys', 'tmp']) expect(ls.get(d)).toMatch(/^d/);
    expect(ls.get('init')).toMatch(/^-rwx------ /);
    // Nothing of a cell: that arrives after boot (inputs.ts).
    expect([...ls.keys()].filter((k) => k.startsWith('portmatrix/'))).toEqual([]);

    const out = p('x1');
    mkdirSync(out);
    execFileSync('cpio', ['-i', '-d', '--quiet'], { cwd: out, input: gunzipSync(gz) });
    expect(readFileSync(path.join(out, 'etc/passwd'), 'utf8')).toContain('portmatrix:x:1000:1000:');
    expect(readFileSync(path.join(out, 'etc/group'), 'utf8')).toContain('portmatrix:x:1000:');
    expect(readFileSync(path.join(out, 'init'), 'utf8')).toBe('#!/bin/sh\necho init\n');
    expect(readFileSync(path.join(out, 'portmatrix-base/modules/virtio_console.ko'), 'utf8')).toBe('MODULE');
    expect(readFileSync(path.join(out, 'bin/busybox')).equals(readFileSync(busybox))).toBe(true);
  });

  it('refuses a busybox of another arch and is reproducible', async () => {
    await expect(buildBaseInitramfs({ arch: 's390x', busybox, init: 'x' })).rejects.toThrow(/is amd64 \(EM_X86_64, little-endian\), not a s390x build/);
    const spec = { arch: 'amd64' as const, busybox, init: 'x' };
    expect((await buildBaseInitramfs(spec)).equals(await buildBaseInitramfs(spec))).toBe(true);
  });
});

describe("a loader cell's inputs", () => {
  it('holds the loader, its files in its root, and cell.sh, owner-only', async () => {
    const ls = listing(
      await inputs({
        loader: p('loader'),
        files: [p('a/prog.bpf.o'), p('config.json')],
        script: '#!/bin/sh\necho cell\n',
      }),
    );
    expect(ls.get('portmatrix/bin/0/loader')).toMatch(/^-rwxr-xr-x /);
    expect(ls.has('portmatrix/t/0/prog.bpf.o')).toBe(true);
    expect(ls.has('portmatrix/t/0/config.json')).toBe(true);
    expect(ls.get('portmatrix/cell.sh')).toMatch(/^-rwx------ /);
    expect(ls.has('bin/busybox')).toBe(false);
  });

  it('merges a libc tree under our own files and adds extra files', async () => {
    writeFileSync(p('extra.btf'), 'BTF');
    const archive = await inputs({
      loader: p('loader'),
      files: [],
      script: 'x',
      libcDir: p('libc'),
      extra: [{ hostPath: p('extra.btf'), guestPath: '/sys-btf/vmlinux', mode: 0o600 }],
    });
    const out = p('x2');
    mkdirSync(out);
    execFileSync('cpio', ['-i', '-d', '--quiet'], { cwd: out, input: archive });
    expect(readFileSync(path.join(out, 'lib64/x86_64-linux-gnu/libc.so.6'), 'utf8')).toBe('ELF libc');
    expect(readFileSync(path.join(out, 'sys-btf/vmlinux'), 'utf8')).toBe('BTF');
  });

  it('adds the merged-/usr /lib link a trixie libc6 tree lacks', async () => {
    mkdirSync(p('libc-usr/usr/lib/x86_64-linux-gnu'), { recursive: true });
    writeFileSync(p('libc-usr/usr/lib/x86_64-linux-gnu/libc.so.6'), 'usr libc');
    const ls = listing(await inputs({ loader: p('loader'), files: [], script: 'x', libcDir: p('libc-usr') }));
    expect(ls.get('lib')).toMatch(/^l.* -> usr\/lib$/);
    expect(ls.has('lib64')).toBe(false);
  });

  it('refuses two files with the same basename and a missing loader', async () => {
    await expect(inputs({ loader: p('loader'), files: [p('a/prog.bpf.o'), p('b/prog.bpf.o')], script: 'x' })).rejects.toThrow(
      /both land at \/portmatrix\/t\/0\/prog\.bpf\.o/,
    );
    await expect(inputs({ loader: p('nope'), files: [], script: 'x' })).rejects.toThrow(/cannot read test loader's program .*ENOENT/);
  });

  it('is reproducible', async () => {
    const spec = { loader: p('loader'), files: [p('config.json')], script: 'x' };
    expect((await inputs(spec)).equals(await inputs(spec))).toBe(true);
  });
});

describe('busyboxApplets', () => {
  it('reads the same applet list that busybox --list prints (amd64 busybox runs on this host)', () => {
    const listed = spawnSync(busybox, ['--list'], { argv0: 'busybox', encoding: 'utf8' }).stdout.trim().split('\n').sort();
    expect([...busyboxApplets(readFileSync(busybox))].sort()).toEqual(listed);
  });

  it('finds the table in the big-endian s390x and the arm64 busybox too', async () => {
    for (const arch of ['arm64', 's390x'] as const) {
      const applets = busyboxApplets(readFileSync(await devBusybox(arch)));
      expect(applets.length).toBeGreaterThan(200);
      expect(applets).toEqual(expect.arrayContaining(['sh', 'setpriv', 'base64', 'timeout', 'poweroff']));
    }
  });

  it('falls back to a fixed list for a binary without the table', () => {
    expect(busyboxApplets(Buffer.from('not busybox'))).toBe(FALLBACK_APPLETS);
  });
});
