// The cpio writer against the real GNU cpio (Debian package `cpio`).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, lutimesSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CpioEntry, normalizeCpioPath, writeCpio } from '../../src/guest/cpio.js';

const work = mkdtempSync(path.join(tmpdir(), 'pm-cpio-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cpio(args: string[], input: Buffer, cwd = work): string {
  const r = spawnSync('cpio', args, { input, cwd, encoding: 'buffer' });
  if (r.error) throw new Error(`cpio not runnable (apt-get install cpio): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`cpio ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

const sample: CpioEntry[] = [
  { path: '/bin/busybox', type: 'file', mode: 0o755, data: Buffer.from('#!fake busybox\n') },
  { path: 'bin/sh', type: 'symlink', target: 'busybox' },
  { path: 'dev/console', type: 'char', major: 5, minor: 1 },
  { path: 'tmp', type: 'dir', mode: 0o1777 },
  { path: 'portmatrix/files/data.bin', type: 'file', data: Buffer.from([0, 1, 2, 255, 254]) },
  { path: 'odd name with spaces', type: 'file', data: Buffer.from('x'.repeat(1001)) },
  { path: 'init', type: 'file', mode: 0o700, data: Buffer.from('#!/bin/sh\n') },
];

describe('writeCpio', () => {
  it('lists, with implicit parent dirs before their children, as cpio -t sees it', () => {
    const listing = cpio(['-t', '--quiet'], writeCpio(sample)).trim().split('\n');
    expect(listing).toEqual([
      'bin',
      'bin/busybox',
      'bin/sh',
      'dev',
      'dev/console',
      'tmp',
      'portmatrix',
      'portmatrix/files',
      'portmatrix/files/data.bin',
      'odd name with spaces',
      'init',
    ]);
  });

  it('extracts with cpio -i to the same bytes, modes, links and device numbers', () => {
    const dir = path.join(work, 'x');
    mkdirSync(dir);
    cpio(['-i', '-d', '--quiet', '--no-absolute-filenames'], writeCpio(sample), dir);
    expect(readFileSync(path.join(dir, 'bin/busybox'), 'utf8')).toBe('#!fake busybox\n');
    expect(lstatSync(path.join(dir, 'bin/busybox')).mode & 0o7777).toBe(0o755);
    expect(readlinkSync(path.join(dir, 'bin/sh'))).toBe('busybox');
    expect(readFileSync(path.join(dir, 'portmatrix/files/data.bin'))).toEqual(Buffer.from([0, 1, 2, 255, 254]));
    expect(readFileSync(path.join(dir, 'odd name with spaces'), 'utf8')).toBe('x'.repeat(1001));
    expect(lstatSync(path.join(dir, 'init')).mode & 0o7777).toBe(0o700);
    expect(lstatSync(path.join(dir, 'tmp')).mode & 0o7777).toBe(0o1777);
    expect(lstatSync(path.join(dir, 'portmatrix')).isDirectory()).toBe(true);
    const con = lstatSync(path.join(dir, 'dev/console'));
    expect(con.isCharacterDevice()).toBe(true);
    expect([Math.floor(con.rdev / 256), con.rdev % 256]).toEqual([5, 1]);
  });

  it('is byte-identical to GNU cpio -H newc --reproducible for the same tree', () => {
    const src = path.join(work, 'tree');
    mkdirSync(path.join(src, 'a'), { recursive: true });
    writeFileSync(path.join(src, 'a/f.txt'), 'hello');
    chmodSync(path.join(src, 'a/f.txt'), 0o644);
    writeFileSync(path.join(src, 'a/run'), 'abcdefg');
    chmodSync(path.join(src, 'a/run'), 0o755);
    symlinkSync('f.txt', path.join(src, 'a/l'));
    for (const p of ['a/f.txt', 'a/run']) utimesSync(path.join(src, p), 0, 0);
    lutimesSync(path.join(src, 'a/l'), 0, 0);
    utimesSync(path.join(src, 'a'), 0, 0);
    const gnu = execFileSync('cpio', ['-o', '-H', 'newc', '--reproducible', '--owner=0:0', '--quiet'], {
      cwd: src,
      input: 'a\na/f.txt\na/l\na/run\n',
    });
    const ours = writeCpio([
      { path: 'a', type: 'dir' },
      { path: 'a/f.txt', type: 'file', data: Buffer.from('hello') },
      { path: 'a/l', type: 'symlink', target: 'f.txt' },
      { path: 'a/run', type: 'file', mode: 0o755, data: Buffer.from('abcdefg') },
    ]);
    // GNU pads the archive to 512-byte blocks; the kernel does not need that.
    expect(gnu.subarray(0, ours.length).toString('latin1')).toBe(ours.toString('latin1'));
    expect(gnu.subarray(ours.length).every((b) => b === 0)).toBe(true);
  });

  it('aligns every header and body on 4 bytes and ends with TRAILER!!!', () => {
    const buf = writeCpio([{ path: 'x', type: 'file', data: Buffer.from('12345') }]);
    // 110-byte header + "x\0" → pad to 112, body 5 → pad to 8, then the trailer.
    expect(buf.toString('latin1', 0, 6)).toBe('070701');
    expect(buf.toString('latin1', 112, 117)).toBe('12345');
    expect(buf.toString('latin1', 120, 126)).toBe('070701');
    expect(buf.toString('latin1', 230, 240)).toBe('TRAILER!!!');
    expect(buf.length % 4).toBe(0);
  });

  it('is deterministic and lets a later entry override an earlier one in place', () => {
    const a = writeCpio(sample);
    expect(writeCpio(sample).equals(a)).toBe(true);
    const merged = writeCpio([
      { path: 'etc/passwd', type: 'file', data: Buffer.from('libc version') },
      { path: 'etc/passwd', type: 'file', data: Buffer.from('ours') },
    ]);
    const dir = path.join(work, 'merged');
    mkdirSync(dir);
    cpio(['-i', '-d', '--quiet'], merged, dir);
    expect(readFileSync(path.join(dir, 'etc/passwd'), 'utf8')).toBe('ours');
  });

  it('normalises paths and refuses ones that escape the root', () => {
    expect(normalizeCpioPath('/a//b/./c/')).toBe('a/b/c');
    expect(() => normalizeCpioPath('a/../../etc/passwd')).toThrow(/\.\./);
    expect(() => writeCpio([{ path: 'l', type: 'symlink' }])).toThrow(/no target/);
  });
});
