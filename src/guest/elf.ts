// Just enough ELF to say what a loader is built for, before any VM boots:
// machine + class + byte order (the arch), PT_INTERP and DT_NEEDED (the libc
// axis: a dynamic loader needs the right ld.so and libraries in the guest).
// Reference: the System V gABI, https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.eheader.html

import { open } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { type Arch, GOARCH } from '../plan/cell.js';

export interface ElfInfo {
  machine: number;
  bigEndian: boolean;
  bits: 32 | 64;
  /** Set when machine, class and byte order are one of ours. */
  arch?: Arch;
  /** PT_INTERP, e.g. /lib64/ld-linux-x86-64.so.2. */
  interpreter?: string;
  /** DT_NEEDED entries, e.g. libc.so.6. */
  needed: string[];
  /** No program interpreter: the kernel runs it directly (static or static-pie). */
  static: boolean;
}

const MACHINES: Record<number, string> = {
  3: 'EM_386',
  8: 'EM_MIPS',
  20: 'EM_PPC',
  21: 'EM_PPC64',
  22: 'EM_S390',
  40: 'EM_ARM',
  62: 'EM_X86_64',
  183: 'EM_AARCH64',
  243: 'EM_RISCV',
  258: 'EM_LOONGARCH',
};
/** What each of our arches must be: machine, class, byte order. */
const WANT: Record<Arch, { machine: number; bits: 64; bigEndian: boolean }> = {
  amd64: { machine: 62, bits: 64, bigEndian: false },
  arm64: { machine: 183, bits: 64, bigEndian: false },
  s390x: { machine: 22, bits: 64, bigEndian: true },
};
/** Names for foreign ELF files in messages (Go's GOARCH where there is one). */
const OTHER_NAMES: Record<string, string> = { '3/32': '386', '40/32': 'arm', '243/64': 'riscv64', '21/64': 'ppc64', '22/32': 's390' };

const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const PT_LOAD = 1;
const DT_NEEDED = 1;
const DT_STRTAB = 5;

/** Parse an ELF image held in memory; undefined when it is not ELF. */
export function parseElf(buf: Buffer): ElfInfo | undefined {
  if (buf.length < 52 || buf.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const bits = buf[4] === 2 ? 64 : 32;
  const bigEndian = buf[5] === 2;
  const u16 = (o: number) => (bigEndian ? buf.readUInt16BE(o) : buf.readUInt16LE(o));
  const u32 = (o: number) => (bigEndian ? buf.readUInt32BE(o) : buf.readUInt32LE(o));
  const u64 = (o: number) => Number(bigEndian ? buf.readBigUInt64BE(o) : buf.readBigUInt64LE(o));
  const word = bits === 64 ? u64 : u32;
  const machine = u16(18);
  const arch = (Object.keys(WANT) as Arch[]).find((a) => WANT[a].machine === machine && WANT[a].bits === bits && WANT[a].bigEndian === bigEndian);

  const phoff = word(bits === 64 ? 32 : 28);
  const phentsize = u16(bits === 64 ? 54 : 42);
  const phnum = u16(bits === 64 ? 56 : 44);
  const phdrs: { type: number; offset: number; vaddr: number; filesz: number }[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (o + phentsize > buf.length) break; // truncated file: report what we could read
    phdrs.push(
      bits === 64
        ? { type: u32(o), offset: u64(o + 8), vaddr: u64(o + 16), filesz: u64(o + 32) }
        : { type: u32(o), offset: u32(o + 4), vaddr: u32(o + 8), filesz: u32(o + 16) },
    );
  }
  const cstr = (o: number) => {
    const end = buf.indexOf(0, o);
    return buf.toString('latin1', o, end < 0 ? buf.length : end);
  };
  const interp = phdrs.find((p) => p.type === PT_INTERP);
  const interpreter = interp && interp.offset < buf.length ? cstr(interp.offset) : undefined;

  // DT_STRTAB holds a virtual address: map it to a file offset through PT_LOAD.
  const needed: string[] = [];
  const dyn = phdrs.find((p) => p.type === PT_DYNAMIC);
  if (dyn) {
    const entSize = bits === 64 ? 16 : 8;
    const entries: [number, number][] = [];
    for (let o = dyn.offset; o + entSize <= Math.min(buf.length, dyn.offset + dyn.filesz); o += entSize) {
      const tag = word(o);
      if (tag === 0) break; // DT_NULL
      entries.push([tag, word(o + entSize / 2)]);
    }
    const strtabVaddr = entries.find(([t]) => t === DT_STRTAB)?.[1];
    const load = phdrs.find((p) => p.type === PT_LOAD && strtabVaddr !== undefined && strtabVaddr >= p.vaddr && strtabVaddr < p.vaddr + p.filesz);
    if (strtabVaddr !== undefined && load) {
      const strtab = strtabVaddr - load.vaddr + load.offset;
      for (const [tag, val] of entries) if (tag === DT_NEEDED && strtab + val < buf.length) needed.push(cstr(strtab + val));
    }
  }
  return { machine, bigEndian, bits, arch, interpreter, needed, static: interpreter === undefined };
}

export async function readElf(path: string): Promise<ElfInfo | undefined> {
  const fh = await open(path, 'r');
  try {
    // Whole file: headers can point anywhere; loaders are megabytes, not gigabytes.
    return parseElf(await fh.readFile());
  } finally {
    await fh.close();
  }
}

/** e.g. `arm64 (EM_AARCH64, little-endian)`. */
export function describeElf(e: Pick<ElfInfo, 'machine' | 'bits' | 'bigEndian' | 'arch'>): string {
  const name = e.arch ?? OTHER_NAMES[`${e.machine}/${e.bits}`] ?? `${e.bits}-bit machine ${e.machine}`;
  const em = MACHINES[e.machine] ?? `e_machine ${e.machine}`;
  return `${name} (${em}, ${e.bigEndian ? 'big' : 'little'}-endian)`;
}

/** Fails fast, before any boot, when a loader cannot run on `arch`. Scripts (#!) pass. */
export async function checkLoaderArch(path: string, arch: Arch): Promise<void> {
  let head: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      const { buffer, bytesRead } = await fh.read(Buffer.alloc(4), 0, 4, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw new UsageError(`loader ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  if (head.subarray(0, 2).toString('latin1') === '#!') return; // busybox sh runs it
  const elf = await readElf(path);
  if (!elf) throw new UsageError(`loader ${path} is neither an ELF executable nor a #! script`);
  if (elf.arch === arch) return;
  const want = WANT[arch];
  throw new UsageError(
    `loader ${path} is built for ${describeElf(elf)} but cell ${arch} needs ${describeElf({ ...want, arch })}; ` +
      `build it with GOARCH=${GOARCH[arch]}`,
  );
}
