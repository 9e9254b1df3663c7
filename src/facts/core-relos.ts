// CO-RE relocations of a BPF object, from its .BTF.ext (struct btf_ext_header and
// struct bpf_core_relo of the kernel's include/uapi/linux/btf.h and libbpf): each
// names a local type, an access string ("0:1" = member 1 of the pointed-to struct)
// and a kind. Turned into the path a person reads: `task_struct.state`.

import { type Btf, type BtfType, KIND, skipMods } from './btf.js';

/** enum bpf_core_relo_kind, in its order. */
export const RELO_KINDS = [
  'FIELD_BYTE_OFFSET',
  'FIELD_BYTE_SIZE',
  'FIELD_EXISTS',
  'FIELD_SIGNED',
  'FIELD_LSHIFT_U64',
  'FIELD_RSHIFT_U64',
  'TYPE_ID_LOCAL',
  'TYPE_ID_TARGET',
  'TYPE_EXISTS',
  'TYPE_SIZE',
  'ENUMVAL_EXISTS',
  'ENUMVAL_VALUE',
  'TYPE_MATCHES',
] as const;

export type ReloKind = (typeof RELO_KINDS)[number] | `KIND_${number}`;

/** One step from a type into it: a named member, or an array element. */
export type AccessStep = { member: string } | { index: number };

export interface CoreRelo {
  /** The ELF section of the instruction (the program). */
  section: string;
  kind: ReloKind;
  /** The local root type's name, flavour included (`task_struct___old`). */
  root: string;
  /** The named root's kind: a typedef (`user_pt_regs`) is matched by its own name. */
  rootKind: 'struct' | 'union' | 'enum' | 'typedef' | 'other';
  /** Named steps after the root (anonymous members left out, as CO-RE matches by name). */
  steps: AccessStep[];
  /** ENUMVAL_*: the enumerator's name. */
  enumerator?: string;
}

/** Kinds that ask whether something exists: they never fail a load, they guard other reads. */
export const PROBE_KINDS: readonly ReloKind[] = ['FIELD_EXISTS', 'TYPE_EXISTS', 'ENUMVAL_EXISTS', 'TYPE_MATCHES'];

/** The CO-RE relocations in `ext` (raw .BTF.ext) against the object's parsed `btf`; [] when it has none. */
export function coreRelos(ext: Buffer, btf: Btf): CoreRelo[] {
  const big = btf.byteOrder === 'BE';
  const u32 = (at: number) => (big ? ext.readUInt32BE(at) : ext.readUInt32LE(at));
  const hdrLen = u32(4);
  if (hdrLen < 32) return []; // a header without the core_relo fields: built before CO-RE
  const [off, len] = [hdrLen + u32(24), u32(28)];
  if (len === 0 || off + len > ext.length) return [];
  const recSize = u32(off);
  const out: CoreRelo[] = [];
  for (let at = off + 4; at + 8 <= off + len; ) {
    const [section, count] = [btf.str(u32(at)), u32(at + 4)];
    at += 8;
    for (let i = 0; i < count && at + 16 <= off + len; i++, at += recSize) {
      out.push(describe(btf, section, u32(at + 4), btf.str(u32(at + 8)), u32(at + 12)));
    }
  }
  return out;
}

function kindWord(t: BtfType | undefined): CoreRelo['rootKind'] {
  if (t?.kind === KIND.TYPEDEF) return 'typedef';
  if (t?.kind === KIND.STRUCT) return 'struct';
  if (t?.kind === KIND.UNION) return 'union';
  return t?.kind === KIND.ENUM || t?.kind === KIND.ENUM64 ? 'enum' : 'other';
}

/** The first named type from `id` through qualifiers: CO-RE looks its name up in the kernel. */
function namedRoot(btf: Btf, id: number): BtfType | undefined {
  let t = btf.types[id];
  const qualifiers: number[] = [KIND.CONST, KIND.VOLATILE, KIND.RESTRICT, KIND.TYPE_TAG];
  for (let n = 0; t && qualifiers.includes(t.kind) && n < 64; n++) t = btf.types[t.ref];
  return t;
}

function describe(btf: Btf, section: string, typeId: number, access: string, kindNo: number): CoreRelo {
  const kind: ReloKind = RELO_KINDS[kindNo] ?? `KIND_${kindNo}`;
  const named = namedRoot(btf, typeId);
  const root = skipMods(btf, typeId);
  const relo: CoreRelo = { section, kind, root: named?.name ?? '', rootKind: kindWord(named), steps: [] };
  const idx = access.split(':').map(Number);
  if (kind.startsWith('ENUMVAL')) return { ...relo, enumerator: root?.members[idx[0] ?? 0]?.name };
  if (!kind.startsWith('FIELD')) return relo;
  let t = root;
  for (const i of idx.slice(1)) {
    if (t?.kind === KIND.ARRAY && t.array) {
      relo.steps.push({ index: i });
      t = skipMods(btf, t.array.type);
      continue;
    }
    const m = t?.members[i];
    if (m?.name) relo.steps.push({ member: m.name });
    t = m ? skipMods(btf, m.type) : undefined;
  }
  return relo;
}

/** `task_struct.state`, `sk_buff.cb[2]`, `bpf_func_id::BPF_FUNC_loop`. */
export function reloPath(r: Pick<CoreRelo, 'root' | 'steps' | 'enumerator'>): string {
  if (r.enumerator !== undefined) return `${r.root}::${r.enumerator}`;
  return r.steps.reduce((s, step) => ('member' in step ? `${s}.${step.member}` : `${s}[${step.index}]`), r.root);
}
