// The initramfs layout, read back with the real cpio(1) after gunzip.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxApplets, FALLBACK_APPLETS } from '../../src/guest/applets.js';
import { buildInitramfs } from '../../src/guest/initramfs.js';
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

function listing(gz: Buffer): Map<string, string> {
  const r = spawnSync('cpio', ['-t', '-v', '--quiet'], { input: gunzipSync(gz) });
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

describe('buildInitramfs', () => {
  it('lays out busybox, applets, devices, passwd, loader, files and /init', async () => {
    const gz = await buildInitramfs({ arch: 'amd64', busybox, loader: p('loader'), files: [p('a/prog.bpf.o'), p('config.json')], init: '#!/bin/sh\necho init\n' });
    expect(gz.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const ls = listing(gz);
    expect(ls.get('bin/busybox')).toMatch(/^-rwxr-xr-x /);
    for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin']) {
      for (const applet of ['sh', 'mount', 'true', 'setpriv', 'base64', 'poweroff']) expect(ls.get(`${d}/${applet}`), `${d}/${applet}`).toMatch(/^l.* -> /);
    }
    expect(ls.get('usr/bin/sh')).toMatch(/-> \.\.\/\.\.\/bin\/busybox$/);
    expect(ls.get('bin/sh')).toMatch(/-> busybox$/);
    expect(ls.get('dev/console')).toMatch(/^crw------- .* 5, +1 /);
    expect(ls.get('dev/null')).toMatch(/^crw-rw-rw- .* 1, +3 /);
    for (const d of ['proc', 'sys', 'tmp']) expect(ls.get(d)).toMatch(/^d/);
    expect(ls.get('portmatrix/loader')).toMatch(/^-rwxr-xr-x /);
    expect(ls.has('portmatrix/files/prog.bpf.o')).toBe(true);
    expect(ls.has('portmatrix/files/config.json')).toBe(true);
    expect(ls.get('init')).toMatch(/^-rwx------ /);

    const out = p('x1');
    mkdirSync(out);
    execFileSync('cpio', ['-i', '-d', '--quiet'], { cwd: out, input: gunzipSync(gz) });
    expect(readFileSync(path.join(out, 'etc/passwd'), 'utf8')).toContain('portmatrix:x:1000:1000:');
    expect(readFileSync(path.join(out, 'etc/group'), 'utf8')).toContain('portmatrix:x:1000:');
    expect(readFileSync(path.join(out, 'init'), 'utf8')).toBe('#!/bin/sh\necho init\n');
    expect(readFileSync(path.join(out, 'bin/busybox')).equals(readFileSync(busybox))).toBe(true);
  });

  it('merges a libc tree under our own files and adds extra files', async () => {
    writeFileSync(p('extra.btf'), 'BTF');
    const gz = await buildInitramfs({
      arch: 'amd64',
      busybox,
      loader: p('loader'),
      files: [],
      init: 'x',
      libcDir: p('libc'),
      extra: [{ hostPath: p('extra.btf'), guestPath: '/sys-btf/vmlinux', mode: 0o600 }],
    });
    const out = p('x2');
    mkdirSync(out);
    execFileSync('cpio', ['-i', '-d', '--quiet'], { cwd: out, input: gunzipSync(gz) });
    expect(readFileSync(path.join(out, 'lib64/x86_64-linux-gnu/libc.so.6'), 'utf8')).toBe('ELF libc');
    expect(readFileSync(path.join(out, 'etc/passwd'), 'utf8')).not.toContain('from libc');
    expect(readFileSync(path.join(out, 'sys-btf/vmlinux'), 'utf8')).toBe('BTF');
  });

  it('adds the merged-/usr /lib link a trixie libc6 tree lacks', async () => {
    mkdirSync(p('libc-usr/usr/lib/x86_64-linux-gnu'), { recursive: true });
    writeFileSync(p('libc-usr/usr/lib/x86_64-linux-gnu/libc.so.6'), 'usr libc');
    const gz = await buildInitramfs({ arch: 'amd64', busybox, loader: p('loader'), files: [], init: 'x', libcDir: p('libc-usr') });
    expect(listing(gz).get('lib')).toMatch(/^l.* -> usr\/lib$/);
    expect(listing(gz).has('lib64')).toBe(false);
  });

  it('refuses two files with the same basename', async () => {
    await expect(
      buildInitramfs({ arch: 'amd64', busybox, loader: p('loader'), files: [p('a/prog.bpf.o'), p('b/prog.bpf.o')], init: 'x' }),
    ).rejects.toThrow(/both land at \/portmatrix\/files\/prog\.bpf\.o/);
    await expect(buildInitramfs({ arch: 's390x', busybox, loader: p('loader'), files: [], init: 'x' })).rejects.toThrow(
      /is amd64 \(EM_X86_64, little-endian\), not a s390x build/,
    );
    await expect(buildInitramfs({ arch: 'amd64', busybox, loader: p('nope'), files: [], init: 'x' })).rejects.toThrow(/cannot read loader .*ENOENT/);
  });

  it('is reproducible', async () => {
    const spec = { arch: 'amd64' as const, busybox, loader: p('loader'), files: [p('config.json')], init: 'x' };
    expect((await buildInitramfs(spec)).equals(await buildInitramfs(spec))).toBe(true);
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
