import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellResult } from '../../src/results/model.js';
import { reuseStore } from '../../src/results/reuse-store.js';
import { cellResult } from '../helpers/cells.js';

const HASH = 'a'.repeat(64);

const result = (over: Partial<CellResult> = {}): CellResult =>
  cellResult({ stdout: 'ok\n', inputsHash: HASH, consoleLog: 'console/amd64__debian-trixie__default.log', ...over });

async function resultsDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-reuse-'));
  await mkdir(path.join(dir, 'console'));
  await writeFile(path.join(dir, 'console/amd64__debian-trixie__default.log'), 'console text\n');
  await mkdir(path.join(dir, 'btf'));
  await writeFile(path.join(dir, 'btf/debian-trixie-amd64.btf'), 'min btf');
  return dir;
}

describe('the --reuse store', () => {
  it('gives back a kept pass with its console log and minimal BTF, for the same id and hash only', async () => {
    const store = reuseStore(await mkdtemp(path.join(os.tmpdir(), 'pm-cache-')));
    await store.keep(result({ btf: { mode: 'min', source: 'min', bytes: 7, file: 'btf/debian-trixie-amd64.btf' } }), await resultsDir());
    const next = await mkdtemp(path.join(os.tmpdir(), 'pm-next-'));
    const got = await store.take(HASH, 'amd64/debian-trixie/default', next);
    expect(got?.stdout).toBe('ok\n');
    expect(await readFile(path.join(next, 'console/amd64__debian-trixie__default.log'), 'utf8')).toBe('console text\n');
    expect(await readFile(path.join(next, 'btf/debian-trixie-amd64.btf'), 'utf8')).toBe('min btf');
    expect(await store.take('b'.repeat(64), 'amd64/debian-trixie/default', next)).toBeUndefined();
    expect(await store.take(HASH, 'arm64/debian-trixie/default', next)).toBeUndefined();
  });

  it('keeps no failure, infra, flaky or repeated result, and nothing without a hash', async () => {
    const cache = await mkdtemp(path.join(os.tmpdir(), 'pm-cache-'));
    const store = reuseStore(cache);
    const dir = await resultsDir();
    for (const r of [
      result({ status: 'fail' }),
      result({ status: 'infra' }),
      result({ status: 'flaky' }),
      result({ runs: { passed: 2, total: 2, statuses: ['pass', 'pass'] } }),
      result({ inputsHash: undefined }),
    ])
      await store.keep(r, dir);
    expect(await readdir(cache)).toEqual([]);
    await store.keep(result({ status: 'xfail' }), dir);
    expect((await store.take(HASH, 'amd64/debian-trixie/default', dir))?.status).toBe('xfail');
  });

  it('refuses an entry whose files would land outside the results directory, and a corrupt one', async () => {
    const cache = await mkdtemp(path.join(os.tmpdir(), 'pm-cache-'));
    const store = reuseStore(cache);
    const dir = await resultsDir();
    await store.keep(result({ consoleLog: '../outside.log' }), dir);
    const [entry] = await readdir(path.join(cache, 'results'));
    const file = path.join(cache, 'results', entry!);
    const held = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...held, files: { '../outside.log': Buffer.from('x').toString('base64') } }));
    const next = await mkdtemp(path.join(os.tmpdir(), 'pm-next-'));
    expect(await store.take(HASH, 'amd64/debian-trixie/default', next)).toBeUndefined();
    await writeFile(file, '{"result": ');
    expect(await store.take(HASH, 'amd64/debian-trixie/default', next)).toBeUndefined();
  });

  it('stays within its bound, dropping the least recently used', async () => {
    const cache = await mkdtemp(path.join(os.tmpdir(), 'pm-cache-'));
    const store = reuseStore(cache, 2);
    const dir = await resultsDir();
    for (const h of ['1', '2', '3']) {
      await store.keep(result({ inputsHash: h.repeat(64) }), dir);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await readdir(path.join(cache, 'results'))).toHaveLength(2);
    expect(await store.take('1'.repeat(64), 'amd64/debian-trixie/default', dir)).toBeUndefined();
    const newest = await store.take('3'.repeat(64), 'amd64/debian-trixie/default', dir);
    expect(newest).toEqual(result({ inputsHash: '3'.repeat(64) }));
  });
});
