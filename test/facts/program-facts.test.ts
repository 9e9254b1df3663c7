// Program facts read from BPF objects clang builds here: the example's naive
// variant (both byte orders), the portable one, and a small program with a new
// helper, kfuncs and a ksym. Bad objects get a clear error.

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { reloPath } from '../../src/facts/core-relos.js';
import { readProgramFacts } from '../../src/facts/program-facts.js';
import { compileBpf, EXAMPLE_BPF, TINY_C, tmpPath } from './bpf-objects.js';

const naive = path.join(EXAMPLE_BPF, 'naive.bpf.c');

describe('program facts', () => {
  it('the naive variant: a kprobe on sys_execve, helpers, a ring buffer, task_struct.state unflavoured', async () => {
    const p = await readProgramFacts(compileBpf(naive, 'naive-el.o'));
    expect(p.bigEndian).toBe(false);
    expect(p.programs).toMatchObject([{ section: 'kprobe/sys_execve', kind: { progType: 'BPF_PROG_TYPE_KPROBE' }, target: 'sys_execve' }]);
    // bpf_get_current_task (35), bpf_ringbuf_reserve (131), bpf_probe_read_kernel (113), as in bpf_helper_defs.h.
    expect([...p.helpers.keys()]).toEqual(expect.arrayContaining([35, 131, 113]));
    expect(p.maps).toEqual([{ name: 'events', type: 27 }]);
    expect(p.coreRelos.map((r) => `${r.kind} ${reloPath(r)}`)).toEqual(['FIELD_BYTE_OFFSET task_struct.state']);
  });

  it('reads a big-endian (s390x) object to the same facts', async () => {
    const [el, eb] = await Promise.all([readProgramFacts(compileBpf(naive, 'n-el.o')), readProgramFacts(compileBpf(naive, 'n-eb.o', 'bpfeb'))]);
    expect(eb.bigEndian).toBe(true);
    expect({ ...eb, file: '', bigEndian: false }).toEqual({ ...el, file: '' });
  });

  it('the portable variant guards __state with FIELD_EXISTS and reads state through a flavour', async () => {
    const p = await readProgramFacts(compileBpf(path.join(EXAMPLE_BPF, 'execsnoop.bpf.c'), 'portable.o', 'bpfel', ['-g', '-D__TARGET_ARCH_x86']));
    const paths = p.coreRelos.map((r) => `${r.kind} ${reloPath(r)}`);
    expect(paths).toContain('FIELD_EXISTS task_struct.__state');
    expect(paths).toContain('FIELD_BYTE_OFFSET task_struct___old.state');
    expect(paths).toContain('FIELD_BYTE_OFFSET pt_regs.di');
  });

  it('the sections only a JIT runs: a callback (bpf_loop), kfunc calls; none in the naive variant', async () => {
    for (const target of ['bpfel', 'bpfeb'] as const) {
      const p = await readProgramFacts(compileBpf(TINY_C, `tiny-jit-${target}.o`, target));
      expect(p.jitOnly.sort()).toEqual(['fentry/do_unlinkat', 'tp/sched/sched_process_exec']);
    }
    expect((await readProgramFacts(compileBpf(naive, 'naive-jit.o'))).jitOnly).toEqual([]);
  });

  it('a helper id, kfuncs and ksyms, fentry and tracepoint targets', async () => {
    const p = await readProgramFacts(compileBpf(TINY_C, 'tiny.o'));
    expect([...p.helpers.entries()]).toEqual([[181, ['fentry/do_unlinkat']]]);
    expect(p.kfuncs.sort()).toEqual(['bpf_task_from_pid', 'bpf_task_release']);
    expect(p.ksyms).toEqual(['bpf_prog_active']);
    expect(p.programs.map((x) => [x.section, x.kind?.progType, x.kind?.attachType, x.target])).toEqual([
      ['fentry/do_unlinkat', 'BPF_PROG_TYPE_TRACING', 'BPF_TRACE_FENTRY', 'do_unlinkat'],
      ['tp/sched/sched_process_exec', 'BPF_PROG_TYPE_TRACEPOINT', undefined, 'sched/sched_process_exec'],
    ]);
  });

  it('an object built without -g has no .BTF.ext: no CO-RE relocations, not an error', async () => {
    const p = await readProgramFacts(compileBpf(TINY_C, 'nodebug.o', 'bpfel', []));
    expect(p.hasBtfExt).toBe(false);
    expect(p.coreRelos).toEqual([]);
    expect([...p.helpers.keys()]).toEqual([181]);
  });

  it('says what is wrong with a file that is no BPF object', async () => {
    await expect(readProgramFacts(naive)).rejects.toThrow(`${naive} is not an ELF file`);
    await expect(readProgramFacts(process.execPath)).rejects.toThrow(/is an ELF file but not a BPF object \(e_machine \d+, BPF is 247\)/);
    const stripped = tmpPath('stripped.o');
    execFileSync('llvm-strip', ['--strip-all', compileBpf(TINY_C, 'tostrip.o'), '-o', stripped]);
    await expect(readProgramFacts(stripped)).rejects.toThrow('is a stripped BPF object (no symbol table)');
  });
});
