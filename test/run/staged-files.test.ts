// The shared files of a boot: built once per run for each set, staged in the PMST1
// form pmcell takes, and keyed on the boot they are staged on.

import { describe, expect, it } from 'vitest';
import { sharedFilesCache, stagedKey } from '../../src/boot/staged-files.js';
import { type CpioEntry, writeCpio } from '../../src/guest/cpio.js';

const file = (p: string, text: string): CpioEntry => ({ path: p, type: 'file', mode: 0o644, data: Buffer.from(text) });

describe('shared files', () => {
  it('are built once per key in a run, and staged as PMST1 <bytes> and the archive of them', async () => {
    const cache = sharedFilesCache();
    let builds = 0;
    const entries = [file('lib/libc.so.6', 'libc'), file('portmatrix/loader', 'loader')];
    const build = async () => (builds++, entries);
    const [a, b] = await Promise.all([cache('k', build), cache('k', build)]);
    expect(builds).toBe(1);
    expect(a).toBe(b);
    const { stream, sha256 } = await a.staged();
    const header = stream.subarray(0, stream.indexOf(10) + 1).toString('ascii');
    const archive = stream.subarray(header.length);
    expect(header).toBe(`PMST1 ${archive.length}\n`);
    // The archive (its unpacking is cpio.test.ts's) of exactly these entries.
    expect(archive.equals(writeCpio(entries))).toBe(true);
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await a.staged()).toEqual({ stream, sha256 });
    await cache('other', build);
    expect(builds).toBe(2);
  });

  it('are built again after a failed build, not cached as a failure', async () => {
    const cache = sharedFilesCache();
    await expect(cache('k', async () => Promise.reject(new Error('cannot read loader')))).rejects.toThrow('cannot read loader');
    expect((await cache('k', async () => [file('a', 'b')])).entries).toHaveLength(1);
  });

  it('have a snapshot key of their own per boot and per content', () => {
    const boot = 'a'.repeat(64);
    expect(stagedKey(boot, 'f'.repeat(64))).toMatch(/^[0-9a-f]{64}$/);
    expect(stagedKey(boot, 'f'.repeat(64))).not.toBe(stagedKey('b'.repeat(64), 'f'.repeat(64)));
    expect(stagedKey(boot, 'f'.repeat(64))).not.toBe(stagedKey(boot, 'e'.repeat(64)));
    expect(stagedKey(boot, 'f'.repeat(64))).not.toBe(boot);
  });
});
