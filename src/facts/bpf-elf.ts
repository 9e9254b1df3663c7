// The sections and symbols of a BPF ELF object (ELF64, EM_BPF), in the byte order
// its header names: clang's bpfel objects are little-endian, bpfeb (s390x) big.

export const EM_BPF = 247;
export const SHF_EXECINSTR = 0x4;
const SHT_SYMTAB = 2;
const SHT_REL = 9;

/** The file is not a BPF object; `check` turns it into a located matrix error. */
export class NotBpfObjectError extends Error {
  override name = 'NotBpfObjectError';
}

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  data: Buffer;
}

export interface ElfSymbol {
  name: string;
  /** Section index; 0 = undefined (an extern). */
  section: number;
  value: number;
  bind: number;
}

/** A relocation (SHT_REL: clang's BPF objects have no addends). */
export interface ElfReloc {
  /** The section index it patches, and the byte offset of the instruction there. */
  section: number;
  offset: number;
  /** Index into `symbols`. */
  symbol: number;
}

export interface BpfElf {
  bigEndian: boolean;
  sections: ElfSection[];
  symbols: ElfSymbol[];
  relocs: ElfReloc[];
  section(name: string): ElfSection | undefined;
}

/** Reads a BPF object; a clear error for anything else (another ELF, a 32-bit one, not an ELF). */
export function readBpfElf(buf: Buffer, file: string): BpfElf {
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46) throw new NotBpfObjectError(`${file} is not an ELF file`);
  const bigEndian = buf[5] === 2;
  const u16 = (at: number) => (bigEndian ? buf.readUInt16BE(at) : buf.readUInt16LE(at));
  const u32 = (at: number) => (bigEndian ? buf.readUInt32BE(at) : buf.readUInt32LE(at));
  const u64 = (at: number) => Number(bigEndian ? buf.readBigUInt64BE(at) : buf.readBigUInt64LE(at));
  if (buf[4] !== 2 || u16(18) !== EM_BPF) throw new NotBpfObjectError(`${file} is an ELF file but not a BPF object (e_machine ${u16(18)}, BPF is ${EM_BPF})`);
  const [shoff, shentsize, shnum, shstrndx] = [u64(0x28), u16(0x3a), u16(0x3c), u16(0x3e)];
  if (shoff + shnum * shentsize > buf.length) throw new NotBpfObjectError(`${file} is a truncated ELF file (section headers past its end)`);
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    const [off, size] = [u64(at + 24), u64(at + 32)];
    return {
      name: u32(at),
      type: u32(at + 4),
      flags: u64(at + 8),
      link: u32(at + 40),
      info: u32(at + 44),
      data: buf.subarray(off, off + size),
    };
  });
  const names = raw[shstrndx]?.data ?? Buffer.alloc(0);
  const cstr = (b: Buffer, off: number) => b.toString('latin1', off, Math.max(off, b.indexOf(0, off)));
  const sections = raw.map((s, index) => ({
    index,
    name: cstr(names, s.name),
    type: s.type,
    flags: s.flags,
    data: s.data,
  }));
  const symtab = raw.find((s) => s.type === SHT_SYMTAB);
  const symbols = symtab ? readSymbols(symtab.data, raw[symtab.link]?.data ?? Buffer.alloc(0), bigEndian, cstr) : [];
  const relocs = raw.flatMap((s) => (s.type === SHT_REL ? readRelocs(s.data, s.info, bigEndian) : []));
  return { bigEndian, sections, symbols, relocs, section: (name) => sections.find((s) => s.name === name) };
}

function readRelocs(data: Buffer, section: number, bigEndian: boolean): ElfReloc[] {
  const out: ElfReloc[] = [];
  for (let at = 0; at + 16 <= data.length; at += 16) {
    const offset = Number(bigEndian ? data.readBigUInt64BE(at) : data.readBigUInt64LE(at));
    const symbol = bigEndian ? data.readUInt32BE(at + 8) : data.readUInt32LE(at + 12);
    out.push({ section, offset, symbol });
  }
  return out;
}

function readSymbols(data: Buffer, strtab: Buffer, bigEndian: boolean, cstr: (b: Buffer, off: number) => string): ElfSymbol[] {
  const out: ElfSymbol[] = [];
  for (let at = 0; at + 24 <= data.length; at += 24) {
    const name = bigEndian ? data.readUInt32BE(at) : data.readUInt32LE(at);
    const section = bigEndian ? data.readUInt16BE(at + 6) : data.readUInt16LE(at + 6);
    const value = Number(bigEndian ? data.readBigUInt64BE(at + 8) : data.readBigUInt64LE(at + 8));
    out.push({ name: cstr(strtab, name), section, value, bind: data[at + 4]! >> 4 });
  }
  return out;
}
