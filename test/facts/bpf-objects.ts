// BPF objects for the facts tests, compiled here with clang from the example's
// sources or a few lines of C: real objects, both byte orders.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/cli.js';

export const EXAMPLE_BPF = path.join(repoRoot, 'examples/execsnoop/bpf');

const dir = mkdtempSync(path.join(os.tmpdir(), 'pm-facts-'));

/** Compiles `source` (a path, or C text when it has a newline) with clang for `target`; throws without clang. */
export function compileBpf(source: string, out: string, target: 'bpfel' | 'bpfeb' = 'bpfel', flags: string[] = ['-g']): string {
  let file = source;
  if (source.includes('\n')) {
    file = path.join(dir, `${out}.c`);
    writeFileSync(file, source);
  }
  const obj = path.join(dir, out);
  execFileSync('clang', ['-target', target, '-O2', '-mcpu=v2', ...flags, `-I${EXAMPLE_BPF}`, '-I/usr/include', '-c', file, '-o', obj]);
  return obj;
}

export function tmpPath(name: string): string {
  return path.join(dir, name);
}

/** A program using a helper 5.10 lacks (bpf_loop, 5.17), kfuncs and a ksym, on fentry and a tracepoint. */
export const TINY_C = `#include "types.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
struct task_struct;
extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern const void bpf_prog_active __ksym;
static long cb(__u32 i, void *ctx) { return 0; }
SEC("fentry/do_unlinkat")
int on_unlink(void *ctx) { bpf_loop(4, cb, 0, 0); return 0; }
SEC("tp/sched/sched_process_exec")
int on_exec(void *ctx) {
  struct task_struct *t = bpf_task_from_pid(1);
  if (t) bpf_task_release(t);
  return (long)&bpf_prog_active & 1;
}
`;
