// A test's BPF programs as the results keep them (pure): what the guest saw in the
// kernel's program list, each distinct program once and sorted, so results diff
// cleanly. Where the kernel gave no count (before 5.16, no verified_insns) the
// loader's own verifier log may have one (`processed N insns`) for a program of that
// name: the kernel keeps the first 15 characters of a name, so those are compared.

import type { GuestProgram } from '../guest/prog-frame.js';
import type { ProgramResult, TestResult } from '../results/model.js';

/** Characters of a program's name the kernel keeps (BPF_OBJ_NAME_LEN, less its NUL). */
const KERNEL_NAME_LEN = 15;

const keyOf = (p: ProgramResult) => [p.name, p.type, String(p.verifiedInsns ?? ''), p.insnsFrom ?? ''].join('\0');

function byNameTypeCount(a: ProgramResult, b: ProgramResult): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  return (a.verifiedInsns ?? -1) - (b.verifiedInsns ?? -1);
}

/** The loader's own counts, by the program's full name. */
type Logged = TestResult['processedInsns'];

function resultOf(p: GuestProgram, logged: Logged): ProgramResult {
  const r: ProgramResult = { name: p.name, type: p.type };
  if (p.verifiedInsns !== undefined) {
    r.verifiedInsns = p.verifiedInsns;
    return r;
  }
  const fromLog = logged?.find((l) => l.program !== undefined && l.program.slice(0, KERNEL_NAME_LEN) === p.name);
  if (fromLog) Object.assign(r, { verifiedInsns: fromLog.insns, insnsFrom: 'log' });
  return r;
}

/** The results' programs of a test, or undefined when the guest saw none. */
export function programResults(seen?: readonly GuestProgram[], logged?: Logged): ProgramResult[] | undefined {
  if (!seen?.length) return undefined;
  const distinct = new Map<string, ProgramResult>();
  for (const p of seen) {
    const r = resultOf(p, logged);
    distinct.set(keyOf(r), r);
  }
  return [...distinct.values()].sort(byNameTypeCount);
}
