// Questions asked of parsed BTF: a type by name, an enum's values, a member by
// name (through anonymous structs and unions, as CO-RE matches them), functions
// and the functions tagged `bpf_kfunc`.

import { type Btf, type BtfMember, type BtfType, KIND, skipMods } from './btf.js';

export class BtfIndex {
  private readonly byName = new Map<string, BtfType[]>();

  constructor(readonly btf: Btf) {
    for (const t of btf.types) {
      if (!t.name) continue;
      const list = this.byName.get(t.name);
      if (list) list.push(t);
      else this.byName.set(t.name, [t]);
    }
  }

  type(id: number): BtfType | undefined {
    return this.btf.types[id];
  }

  named(name: string, kinds?: readonly number[]): BtfType[] {
    return (this.byName.get(name) ?? []).filter((t) => !kinds || kinds.includes(t.kind));
  }

  /** The type behind typedefs and qualifiers. */
  resolve(id: number): BtfType | undefined {
    return skipMods(this.btf, id);
  }

  /** The values of the enum `name` (ENUM or ENUM64), empty when the BTF has no such enum. */
  enumValues(name: string): BtfMember[] {
    return this.named(name, [KIND.ENUM, KIND.ENUM64]).flatMap((t) => t.members);
  }

  /** A member of struct/union `t` by name, looking inside anonymous members too. */
  member(t: BtfType, name: string, depth = 0): BtfMember | undefined {
    if (depth > 32) return undefined;
    for (const m of t.members) {
      if (m.name === name) return m;
      if (m.name) continue;
      const inner = this.resolve(m.type);
      if (inner && (inner.kind === KIND.STRUCT || inner.kind === KIND.UNION)) {
        const found = this.member(inner, name, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** Names of every member reachable from `t` (anonymous members flattened). */
  memberNames(t: BtfType, depth = 0): string[] {
    if (depth > 32) return [];
    return t.members.flatMap((m) => {
      if (m.name) return [m.name];
      const inner = this.resolve(m.type);
      return inner && (inner.kind === KIND.STRUCT || inner.kind === KIND.UNION) ? this.memberNames(inner, depth + 1) : [];
    });
  }

  /** Names of the functions the BTF declares (FUNC). */
  funcNames(): string[] {
    return this.btf.types.filter((t) => t.kind === KIND.FUNC && t.name).map((t) => t.name);
  }

  /** Functions tagged `bpf_kfunc` by a DECL_TAG (kernels built with pahole's decl_tag_kfuncs). */
  kfuncNames(): string[] {
    const tagged = this.named('bpf_kfunc', [KIND.DECL_TAG]).filter((t) => t.component === -1);
    return [...new Set(tagged.map((t) => this.type(t.ref)?.name ?? '').filter(Boolean))].sort();
  }
}
