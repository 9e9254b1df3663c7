// One thing a program needs that a kernel lacks, as `check` reports it, and the
// kernel names that look like what was asked for.

import { editDistance } from '../config/suggest.js';

export type FindingKind =
  | 'btf'
  | 'field'
  | 'type'
  | 'enumval'
  | 'helper'
  | 'kfunc'
  | 'ksym'
  | 'prog-type'
  | 'attach-type'
  | 'map-type'
  | 'target'
  | 'config'
  | 'lockdown';

/** Names of ids a kernel may lack, from every kernel checked (the newest knows the most). */
export interface IdNames {
  helpers: Map<number, string>;
  mapTypes: Map<number, string>;
}

export interface Finding {
  kind: FindingKind;
  /**
   * fail: predicted to fail the load or attach. guarded: absent, but the program
   * carries an alternative (a CO-RE flavour, a field-exists check). unknown: the
   * facts cannot decide (no symbol table, a module's kfunc).
   */
  level: 'fail' | 'guarded' | 'unknown';
  /** The object's file name and the program's section, when one program needs it. */
  object: string;
  section?: string;
  /** What is needed: `task_struct.state`, `bpf_loop (181)`, `CONFIG_KPROBES`. */
  need: string;
  /** Why, in kernel terms: `absent; task_struct has __state`. */
  detail: string;
  /** Kernel names that look like what was needed, nearest first. */
  candidates?: string[];
}

/** Up to `max` of `names` that look like `want`: containing it or contained, or a few edits away. */
export function nearNames(want: string, names: Iterable<string>, max = 3): string[] {
  const scored: [number, string][] = [];
  const limit = Math.max(2, Math.floor(want.length / 3));
  for (const name of names) {
    if (name === want) continue;
    if (name.length >= 3 && (name.includes(want) || want.includes(name))) {
      scored.push([Math.abs(name.length - want.length) / 100, name]);
      continue;
    }
    if (Math.abs(name.length - want.length) > limit) continue;
    const d = editDistance(want, name);
    if (d <= limit) scored.push([d, name]);
  }
  return scored
    .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1))
    .slice(0, max)
    .map(([, n]) => n);
}

/** The program predicted to fail on the kernel when any finding says fail. */
export function predicted(findings: readonly Finding[]): 'pass' | 'fail' {
  return findings.some((f) => f.level === 'fail') ? 'fail' : 'pass';
}
