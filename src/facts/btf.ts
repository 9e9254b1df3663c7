// Raw BTF (the kernel's .BTF, or a BPF object's) parsed into types, in either byte
// order. The layout is include/uapi/linux/btf.h of the Linux sources: a 24-byte
// header, then the type section (each type a 12-byte btf_type and a per-kind
// tail), then NUL-terminated strings. Type ids count from 1; 0 is void.

import { btfByteOrder } from '../btf/byte-order.js';

export const KIND = {
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;

/** A member of a struct or union, a value of an enum, a parameter of a proto, a variable of a datasec. */
export interface BtfMember {
  name: string;
  /** The member's (parameter's, variable's) type id; 0 for enum values. */
  type: number;
  /** Enum value; struct/union bit offset; datasec offset. */
  value: number;
}

export interface BtfType {
  id: number;
  kind: number;
  name: string;
  /** FUNC and VAR: linkage (0 static, 1 global, 2 extern); others: vlen. */
  vlen: number;
  /** Size (INT, STRUCT, UNION, ENUM, DATASEC) or the referenced type id (PTR, TYPEDEF, FUNC, VAR, DECL_TAG, …). */
  ref: number;
  members: BtfMember[];
  /** ARRAY: element type and count. */
  array?: { type: number; nelems: number };
  /** DECL_TAG: the tagged component (-1 = the declaration itself). */
  component?: number;
}

export interface Btf {
  byteOrder: 'LE' | 'BE';
  /** Indexed by type id; types[0] is void. */
  types: BtfType[];
  str(off: number): string;
}

const HDR = 24;

/** Parses raw BTF; throws on a blob that is not BTF or whose sections do not fit. */
export function parseBtf(raw: Buffer): Btf {
  const byteOrder = btfByteOrder(raw);
  if (!byteOrder) throw new Error('not BTF (no 0xeb9f magic)');
  const u32 = (at: number) => (byteOrder === 'LE' ? raw.readUInt32LE(at) : raw.readUInt32BE(at));
  const hdrLen = u32(4);
  const [typeOff, typeLen, strOff, strLen] = [u32(8), u32(12), u32(16), u32(20)];
  const types0 = hdrLen + typeOff;
  const strs0 = hdrLen + strOff;
  if (hdrLen < HDR || types0 + typeLen > raw.length || strs0 + strLen > raw.length) throw new Error('malformed BTF: sections out of bounds');
  const str = (off: number) => (off >= strLen ? '' : raw.toString('latin1', strs0 + off, raw.indexOf(0, strs0 + off)));
  const types: BtfType[] = [{ id: 0, kind: 0, name: '', vlen: 0, ref: 0, members: [] }];
  for (let at = types0; at < types0 + typeLen; ) {
    const t = readType(u32, at, types.length, str);
    types.push(t.type);
    at = t.next;
  }
  return { byteOrder, types, str };
}

type U32 = (at: number) => number;

function readType(u32: U32, at: number, id: number, str: (off: number) => string): { type: BtfType; next: number } {
  const info = u32(at + 4);
  const kind = (info >>> 24) & 0x1f;
  const vlen = info & 0xffff;
  const type: BtfType = { id, kind, name: str(u32(at)), vlen, ref: u32(at + 8), members: [] };
  if (kind < KIND.INT || kind > KIND.ENUM64) throw new Error(`malformed BTF: type ${id} has unknown kind ${kind}`);
  const p = at + 12;
  return { type, next: p + readFixedTail(u32, type, p) + readMembers(u32, type, p, str) };
}

/** INT, VAR, DECL_TAG and ARRAY: the bytes after btf_type, read into `type`; their length. */
function readFixedTail(u32: U32, type: BtfType, p: number): number {
  switch (type.kind) {
    case KIND.INT:
      return 4;
    case KIND.VAR:
      type.vlen = u32(p);
      return 4;
    case KIND.DECL_TAG:
      type.component = u32(p) | 0;
      return 4;
    case KIND.ARRAY:
      type.array = { type: u32(p), nelems: u32(p + 8) };
      return 12;
    default:
      return 0;
  }
}

/** The vlen entries of kinds that have them, pushed onto `type.members`; their length. */
function readMembers(u32: U32, type: BtfType, start: number, str: (off: number) => string): number {
  let p = start;
  const i32 = (x: number) => x | 0;
  const list = (size: number, read: (q: number) => BtfMember) => {
    for (let i = 0; i < type.vlen; i++, p += size) type.members.push(read(p));
  };
  switch (type.kind) {
    case KIND.STRUCT:
    case KIND.UNION:
      list(12, (q) => ({ name: str(u32(q)), type: u32(q + 4), value: u32(q + 8) }));
      break;
    case KIND.ENUM:
      list(8, (q) => ({ name: str(u32(q)), type: 0, value: i32(u32(q + 4)) }));
      break;
    case KIND.ENUM64:
      list(12, (q) => ({ name: str(u32(q)), type: 0, value: u32(q + 4) + u32(q + 8) * 2 ** 32 }));
      break;
    case KIND.FUNC_PROTO:
      list(8, (q) => ({ name: str(u32(q)), type: u32(q + 4), value: 0 }));
      break;
    case KIND.DATASEC:
      list(12, (q) => ({ name: '', type: u32(q), value: u32(q + 4) }));
      break;
  }
  return p - start;
}

const MODIFIERS: number[] = [KIND.TYPEDEF, KIND.VOLATILE, KIND.CONST, KIND.RESTRICT, KIND.TYPE_TAG];

/** The type behind typedefs and qualifiers. */
export function skipMods(btf: Btf, id: number): BtfType | undefined {
  let t = btf.types[id];
  for (let n = 0; t && MODIFIERS.includes(t.kind) && n < 64; n++) t = btf.types[t.ref];
  return t;
}
