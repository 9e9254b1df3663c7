// Just enough ELF parsing to tell what a build produced: class, byte order,
// machine and whether the file asks for a dynamic loader (PT_INTERP).
// Layout: https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.eheader.html
import { open } from 'node:fs/promises';

export const EM_S390 = 22;
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
export const EM_BPF = 247;

export interface ElfHeader {
  bits: 32 | 64;
  endian: 'LE' | 'BE';
  /** ET_EXEC 2, ET_DYN 3 (static-pie), ET_REL 1 (.o) */
  type: number;
  machine: number;
  /** True when a program header of type PT_INTERP (3) exists: dynamically linked. */
  interp: boolean;
}

/** Reads the header and program headers of a 64-bit ELF file. */
export async function readElf(path: string): Promise<ElfHeader> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(64);
    await fh.read(head, 0, 64, 0);
    if (head.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${path}: not an ELF file`);
    const bits = head[4] === 2 ? 64 : 32;
    if (bits !== 64) throw new Error(`${path}: 32-bit ELF, expected 64-bit`);
    const endian = head[5] === 2 ? 'BE' : 'LE';
    const u16 = (b: Buffer, o: number) => (endian === 'LE' ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number) => (endian === 'LE' ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const u64 = (b: Buffer, o: number) => Number(endian === 'LE' ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));

    const phoff = u64(head, 32);
    const phentsize = u16(head, 54);
    const phnum = u16(head, 56);
    let interp = false;
    if (phnum > 0) {
      const ph = Buffer.alloc(phentsize * phnum);
      await fh.read(ph, 0, ph.length, phoff);
      for (let i = 0; i < phnum; i++) if (u32(ph, i * phentsize) === 3) interp = true;
    }
    return { bits, endian, type: u16(head, 16), machine: u16(head, 18), interp };
  } finally {
    await fh.close();
  }
}
