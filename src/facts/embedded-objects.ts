// The BPF objects a program carries inside itself: bpf2go's go:embed bytes and a
// libbpf skeleton's byte array are whole ELF images in the binary's data. Each is
// found by its header (ELF64, EM_BPF, in either byte order: s390x objects are
// big-endian) and sized from it: the end of its section header table or of its
// furthest section, whichever lies further (clang puts the table last; a linker
// need not). The host binary's own header (EM_X86_64, …) is no BPF header.

import { EM_BPF } from './bpf-elf.js';

const MAGIC = Buffer.from('\x7fELF', 'latin1');
/** ELF64 header and section header sizes: anything else is no ELF64 object. */
const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
/** A string table (the section names'), and a section without bytes in the file (.bss). */
const SHT_STRTAB = 3;
const SHT_NOBITS = 8;

export interface ElfImage {
  /** Where the image starts in the scanned buffer. */
  offset: number;
  bytes: Buffer;
}

/** Whether an ELF64 BPF header starts at `at` (its first 64 bytes suffice). */
export function isBpfHeader(buf: Buffer, at = 0): boolean {
  if (at + EHDR_SIZE > buf.length || buf.readUInt32BE(at) !== MAGIC.readUInt32BE(0)) return false;
  const [elfClass, order, version] = [buf[at + 4], buf[at + 5], buf[at + 6]];
  if (elfClass !== 2 || (order !== 1 && order !== 2) || version !== 1) return false;
  const u16 = (o: number) => (order === 2 ? buf.readUInt16BE(at + o) : buf.readUInt16LE(at + o));
  return u16(18) === EM_BPF && u16(0x34) === EHDR_SIZE && u16(0x3a) === SHDR_SIZE;
}

/**
 * The size of the BPF ELF image starting at `at`, or undefined: no BPF header there,
 * its section headers cut off by the buffer's end, or no string table where the
 * header says (a header followed by other bytes than its own sections).
 */
export function bpfImageSize(buf: Buffer, at: number): number | undefined {
  if (!isBpfHeader(buf, at)) return undefined;
  const big = buf[at + 5] === 2;
  const u16 = (o: number) => (big ? buf.readUInt16BE(at + o) : buf.readUInt16LE(at + o));
  const u32 = (o: number) => (big ? buf.readUInt32BE(at + o) : buf.readUInt32LE(at + o));
  const u64 = (o: number) => Number(big ? buf.readBigUInt64BE(at + o) : buf.readBigUInt64LE(at + o));
  const [shoff, shnum, shstrndx] = [u64(0x28), u16(0x3c), u16(0x3e)];
  let end = shoff + shnum * SHDR_SIZE;
  if (shnum === 0 || shoff < EHDR_SIZE || at + end > buf.length) return undefined;
  if (shstrndx >= shnum || u32(shoff + shstrndx * SHDR_SIZE + 4) !== SHT_STRTAB) return undefined;
  for (let sh = shoff; sh < shoff + shnum * SHDR_SIZE; sh += SHDR_SIZE) {
    if (u32(sh + 4) !== SHT_NOBITS) end = Math.max(end, u64(sh + 24) + u64(sh + 32));
  }
  return at + end <= buf.length ? end : undefined;
}

/**
 * Every whole BPF ELF image in `buf`, in order; a truncated one, or any other ELF, is
 * passed over. The search goes on from the byte after each header, so an image taken
 * wrongly (a header sized from the bytes after it) hides no real one.
 */
export function bpfImages(buf: Buffer): ElfImage[] {
  const out: ElfImage[] = [];
  let at = buf.indexOf(MAGIC);
  while (at >= 0) {
    const size = bpfImageSize(buf, at);
    if (size !== undefined) out.push({ offset: at, bytes: buf.subarray(at, at + size) });
    at = buf.indexOf(MAGIC, at + 1);
  }
  return out;
}
