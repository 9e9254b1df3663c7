// Kernel facts read from real Debian kernels without booting them: the BPF enums
// and kfuncs of their own BTF, their symbols and config, cached by image sha256.

import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelFactsOf, parseSystemMap } from '../../src/facts/kernel-facts.js';
import { kernelView } from '../../src/facts/kernel-view.js';
import { Cache } from '../../src/images/cache.js';
import { factsDeps, store, viewOf } from './kernels.js';

describe('kernel facts', () => {
  it('bullseye (5.10) lacks bpf_loop; trixie (6.12) has it as helper 181, the ringbuf map and fentry', async () => {
    const [old, cur] = await Promise.all([viewOf('debian:bullseye', 'amd64'), viewOf('debian:trixie', 'amd64')]);
    expect(old.facts.btfSource).toBe('kernel');
    expect(old.facts.helpers.find((h) => h.name === 'bpf_loop')).toBeUndefined();
    expect(cur.facts.helpers.find((h) => h.name === 'bpf_loop')).toEqual({ id: 181, name: 'bpf_loop' });
    // Helper ids are stable: every 5.10 helper keeps its id in 6.12.
    const curById = new Map(cur.facts.helpers.map((h) => [h.id, h.name]));
    for (const h of old.facts.helpers) expect(curById.get(h.id)).toBe(h.name);
    expect(cur.facts.mapTypes).toContainEqual({ id: 27, name: 'BPF_MAP_TYPE_RINGBUF' });
    expect(cur.facts.attachTypes.map((a) => a.name)).toContain('BPF_TRACE_FENTRY');
    expect(cur.facts.progTypes.map((a) => a.name)).toContain('BPF_PROG_TYPE_KPROBE');
  }, 120_000);

  it('reads kfuncs from bpf_kfunc decl tags where the kernel has them (6.12), none on 5.10', async () => {
    const [old, cur] = await Promise.all([viewOf('debian:bullseye', 'amd64'), viewOf('debian:trixie', 'amd64')]);
    expect(old.facts.kfuncs).toEqual([]);
    expect(cur.facts.kfuncs).toContain('bpf_task_from_pid');
    expect(cur.btf?.funcNames()).toContain('bpf_task_from_pid');
  }, 120_000);

  it("reads a big-endian kernel's BTF: s390x sid has task_struct.__state and its own syscall symbols", async () => {
    const v = await viewOf('debian:sid', 's390x');
    expect(v.btf?.btf.byteOrder).toBe('BE');
    const task = v.btf!.named('task_struct')[0]!;
    expect(v.btf!.member(task, '__state')).toBeDefined();
    expect(v.btf!.member(task, 'state')).toBeUndefined();
    expect(v.facts.symbolsSource).toBe('btf');
    expect(v.symbols?.has('__s390x_sys_execve')).toBe(true);
    expect(v.symbols?.has('__x64_sys_execve')).toBe(false);
    expect(v.config?.get('CONFIG_DEBUG_INFO_BTF')).toBe('y');
  }, 120_000);

  it('says a kernel built without BTF has none (bookworm s390x), with its config still read', async () => {
    // A cache of its own: the shared one may hold this kernel's facts with generated BTF.
    const cache = new Cache(mkdtempSync(path.join(os.tmpdir(), 'pm-facts-cache-')));
    const v = await kernelView(await store.kernel('debian:bookworm', 's390x'), { cache, env: process.env });
    expect(v.facts.btfSource).toBe('none');
    expect(v.btf).toBeUndefined();
    expect(v.facts.helpers).toEqual([]);
    expect(v.config?.has('CONFIG_DEBUG_INFO_BTF')).toBe(false);
  }, 120_000);

  it('reads the BPF enums of BTF generated for a kernel without (bookworm s390x, from its -dbg package)', async () => {
    const v = await kernelView(await store.kernel('debian:bookworm', 's390x'), {
      ...factsDeps,
      generatedBtf: store.generatedBtf,
    });
    expect(v.facts.btfSource).toBe('generated');
    expect(v.facts.helpers.find((h) => h.id === 181)).toEqual({ id: 181, name: 'bpf_loop' });
    expect(v.btf!.member(v.btf!.named('task_struct')[0]!, '__state')).toBeDefined();
  }, 600_000);

  it('caches the facts under the image sha256 and answers the second time from the file', async () => {
    const k = await store.kernel('debian:bookworm', 'arm64');
    const first = await kernelFactsOf(k, factsDeps);
    const file = path.join(store.cache.dir, 'facts', `${k.sha256}.json`);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(first);
    // No tool on PATH: a second computation could not decompress the image.
    const again = await kernelFactsOf(k, { ...factsDeps, env: { PATH: '/nonexistent' } });
    expect(again).toEqual(first);
    expect(first.helpers.length).toBeGreaterThan(100);
  }, 120_000);
});

describe('parseSystemMap', () => {
  it('keeps text symbols (t, T, w, W), not data or absolute ones', () => {
    const text = [
      'ffffffff81000000 T _stext',
      'ffffffff812f5a10 t __x64_sys_execve',
      'ffffffff82a00000 D jiffies',
      '0000000000000000 A __per_cpu_start',
      'ffffffff81001000 W weak_fn',
    ].join('\n');
    expect([...parseSystemMap(text)]).toEqual(['_stext', '__x64_sys_execve', 'weak_fn']);
  });
});
