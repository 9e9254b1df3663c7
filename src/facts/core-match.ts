// CO-RE relocations matched against a kernel's BTF the way libbpf and cilium/ebpf
// match them: the local type's name without its `___flavour` suffix, a type of a
// compatible kind, then each named member in turn (anonymous members looked
// through). A relocation that asks whether something exists never fails a load,
// and a miss the program has an alternative for is `guarded`, not a failure.

import type { BtfType } from './btf.js';
import { KIND } from './btf.js';
import type { BtfIndex } from './btf-query.js';
import { type CoreRelo, PROBE_KINDS, reloPath } from './core-relos.js';
import { type Finding, nearNames } from './finding.js';

/** libbpf's "essential name": everything before the first `___`. */
export const essentialName = (name: string) => name.split('___')[0]!;

const KINDS_OF: Record<CoreRelo['rootKind'], number[] | undefined> = {
  struct: [KIND.STRUCT, KIND.UNION],
  union: [KIND.STRUCT, KIND.UNION],
  enum: [KIND.ENUM, KIND.ENUM64],
  typedef: [KIND.TYPEDEF],
  other: undefined,
};

type Miss = { kind: Finding['kind']; need: string; detail: string; candidates?: string[] };

/** Walks the named steps of `r` from the kernel type `t`; the first miss, or undefined when all resolve. */
function walk(r: CoreRelo, k: BtfIndex, t: BtfType): Miss | undefined {
  let cur: BtfType | undefined = k.resolve(t.id);
  let at = essentialName(r.root);
  for (const step of r.steps) {
    if ('index' in step) {
      if (cur?.kind !== KIND.ARRAY || !cur.array) return { kind: 'field', need: `${at}[${step.index}]`, detail: `${at} is not an array in this kernel` };
      cur = k.resolve(cur.array.type);
      at = `${at}[${step.index}]`;
      continue;
    }
    const m = cur ? k.member(cur, step.member) : undefined;
    if (!cur || !m) {
      const near = cur ? nearNames(step.member, k.memberNames(cur)) : [];
      const has = near.length ? `; ${cur?.name || at} has ${near.join(', ')}` : '';
      return { kind: 'field', need: `${at}.${step.member}`, detail: `absent${has}`, candidates: near };
    }
    cur = k.resolve(m.type);
    at = `${at}.${step.member}`;
  }
  return undefined;
}

/** Why `r` cannot be applied on the kernel whose BTF is `k`, or undefined when it can. */
export function reloMiss(r: CoreRelo, k: BtfIndex): Miss | undefined {
  const name = essentialName(r.root);
  if (!name) return undefined; // an anonymous root: libbpf refuses such objects itself
  const cands = k.named(name, KINDS_OF[r.rootKind]);
  if (cands.length === 0)
    return {
      kind: 'type',
      need: name,
      detail: `no ${r.rootKind === 'other' ? 'type' : r.rootKind} ${name} in this kernel`,
    };
  if (r.enumerator !== undefined) {
    const values = cands.flatMap((c) => c.members.map((m) => m.name));
    if (values.includes(r.enumerator)) return undefined;
    return {
      kind: 'enumval',
      need: `${name}::${r.enumerator}`,
      detail: 'absent',
      candidates: nearNames(r.enumerator, values),
    };
  }
  if (!r.kind.startsWith('FIELD')) return undefined;
  const misses = cands.map((c) => walk(r, k, c));
  return misses.includes(undefined) ? undefined : misses[0];
}

/** The CO-RE findings of one object's relocations against a kernel's BTF. */
export function coreFindings(object: string, relos: readonly CoreRelo[], k: BtfIndex): Finding[] {
  const results = relos.map((r) => ({ r, miss: reloMiss(r, k) }));
  const probed = new Set(relos.filter((r) => PROBE_KINDS.includes(r.kind)).map((r) => essentialPath(r)));
  const resolvedRoots = new Set(results.filter((x) => !x.miss).map((x) => essentialName(x.r.root)));
  const out = new Map<string, Finding>();
  for (const { r, miss } of results) {
    if (!miss || PROBE_KINDS.includes(r.kind)) continue;
    const guard = probed.has(essentialPath(r))
      ? 'guarded by an exists check (bpf_core_field_exists or the like)'
      : r.root.includes('___') && resolvedRoots.has(essentialName(r.root))
        ? `an alternative: the flavour ${r.root}, next to relocations on ${essentialName(r.root)} this kernel has`
        : undefined;
    const key = `${miss.need} ${guard ? 'g' : 'f'}`;
    if (out.has(key)) continue;
    const detail = guard ? `${miss.detail}; ${guard}` : miss.detail;
    out.set(key, {
      kind: miss.kind,
      level: guard ? 'guarded' : 'fail',
      object,
      section: r.section,
      need: miss.need,
      detail,
      candidates: miss.candidates,
    });
  }
  return [...out.values()];
}

const essentialPath = (r: CoreRelo) => reloPath({ ...r, root: essentialName(r.root) });
