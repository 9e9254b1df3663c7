// Just enough ELF to say what a loader is built for, before any VM boots:
// machine + class + byte order (the arch), PT_INTERP and DT_NEEDED (the libc
// axis: a dynamic loader needs the right ld.so and libraries in the guest), and
// the symbol versions it needs from each library (DT_VERNEED, .gnu.version_r:
// `GLIBC_2.38` from libc.so.6 means glibc 2.38 or newer).
// Version needs: https://refspecs.linuxfoundation.org/LSB_5.0.0/LSB-Core-generic/LSB-Core-generic/symversion.html
// Reference: the System V gABI, https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.eheader.html

import { open } from 'node:fs/promises';
import { type Arch, GOARCH } from '../core/arch.js';
import { UsageError } from '../errors.js';

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
  /** Symbol versions needed per library, e.g. { 'libc.so.6': ['GLIBC_2.2.5', 'GLIBC_2.38'] }. */
  versionNeeds: Record<string, string[]>;
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
const OTHER_NAMES: Record<string, string> = {
  '3/32': '386',
  '40/32': 'arm',
  '243/64': 'riscv64',
  '21/64': 'ppc64',
  '22/32': 's390',
};

/** Program header types (p_type) and dynamic section tags (d_tag) read here. */
const PT = { load: 1, dynamic: 2, interp: 3 } as const;
const DT = { needed: 1, strtab: 5, verneed: 0x6ffffffe, verneednum: 0x6fffffff } as const;

/** Field readers for one ELF image, in its own word size and byte order. */
function elfReader(buf: Buffer) {
  const bits: 64 | 32 = buf[4] === 2 ? 64 : 32;
  const bigEndian = buf[5] === 2;
  const u16 = (o: number) => (bigEndian ? buf.readUInt16BE(o) : buf.readUInt16LE(o));
  const u32 = (o: number) => (bigEndian ? buf.readUInt32BE(o) : buf.readUInt32LE(o));
  const u64 = (o: number) => Number(bigEndian ? buf.readBigUInt64BE(o) : buf.readBigUInt64LE(o));
  const cstr = (o: number) => {
    const end = buf.indexOf(0, o);
    return buf.toString('latin1', o, end < 0 ? buf.length : end);
  };
  return { buf, bits, bigEndian, u16, u32, u64, word: bits === 64 ? u64 : u32, cstr };
}
type ElfReader = ReturnType<typeof elfReader>;
type Phdr = { type: number; offset: number; vaddr: number; filesz: number };

function programHeaders(r: ElfReader): Phdr[] {
  const { bits, u16, u32, u64 } = r;
  const phoff = r.word(bits === 64 ? 32 : 28);
  const phentsize = u16(bits === 64 ? 54 : 42);
  const phnum = u16(bits === 64 ? 56 : 44);
  const phdrs: Phdr[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (o + phentsize > r.buf.length) break; // truncated file: report what we could read
    phdrs.push(
      bits === 64
        ? { type: u32(o), offset: u64(o + 8), vaddr: u64(o + 16), filesz: u64(o + 32) }
        : { type: u32(o), offset: u32(o + 4), vaddr: u32(o + 8), filesz: u32(o + 16) },
    );
  }
  return phdrs;
}

/** DT_NEEDED libraries and the symbol versions needed from each (PT_DYNAMIC). */
function dynamicNeeds(r: ElfReader, phdrs: Phdr[]): { needed: string[]; versionNeeds: Record<string, string[]> } {
  const needed: string[] = [];
  const versionNeeds: Record<string, string[]> = {};
  const dyn = phdrs.find((p) => p.type === PT.dynamic);
  if (!dyn) return { needed, versionNeeds };
  // Dynamic tags hold virtual addresses: map them to file offsets through PT_LOAD.
  const fileOffset = (vaddr: number | undefined) => {
    const load = phdrs.find((p) => p.type === PT.load && vaddr !== undefined && vaddr >= p.vaddr && vaddr < p.vaddr + p.filesz);
    return load && vaddr !== undefined ? vaddr - load.vaddr + load.offset : undefined;
  };
  const entSize = r.bits === 64 ? 16 : 8;
  const entries: [number, number][] = [];
  for (let o = dyn.offset; o + entSize <= Math.min(r.buf.length, dyn.offset + dyn.filesz); o += entSize) {
    const tag = r.word(o);
    if (tag === 0) break; // DT_NULL
    entries.push([tag, r.word(o + entSize / 2)]);
  }
  const tag = (t: number) => entries.find(([k]) => k === t)?.[1];
  const strtab = fileOffset(tag(DT.strtab));
  if (strtab === undefined) return { needed, versionNeeds };
  for (const [t, val] of entries) if (t === DT.needed && strtab + val < r.buf.length) needed.push(r.cstr(strtab + val));
  readVersionNeeds(r.buf, r.u16, r.u32, strtab, fileOffset(tag(DT.verneed)), tag(DT.verneednum) ?? 0, r.cstr, versionNeeds);
  return { needed, versionNeeds };
}

/** Parse an ELF image held in memory; undefined when it is not ELF. */
export function parseElf(buf: Buffer): ElfInfo | undefined {
  if (buf.length < 52 || buf.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const r = elfReader(buf);
  const { bits, bigEndian } = r;
  const machine = r.u16(18);
  const arch = (Object.keys(WANT) as Arch[]).find((a) => WANT[a].machine === machine && WANT[a].bits === bits && WANT[a].bigEndian === bigEndian);
  const phdrs = programHeaders(r);
  const interp = phdrs.find((p) => p.type === PT.interp);
  const interpreter = interp && interp.offset < buf.length ? r.cstr(interp.offset) : undefined;
  const { needed, versionNeeds } = dynamicNeeds(r, phdrs);
  return { machine, bigEndian, bits, arch, interpreter, needed, static: interpreter === undefined, versionNeeds };
}

/**
 * Walks the Elf_Verneed chain (vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32,
 * vn_next u32) and each one's Elf_Vernaux list (vna_hash u32, vna_flags u16,
 * vna_other u16, vna_name u32, vna_next u32): the same layout in ELF32 and ELF64.
 */
function readVersionNeeds(
  buf: Buffer,
  u16: (o: number) => number,
  u32: (o: number) => number,
  strtab: number,
  start: number | undefined,
  count: number,
  cstr: (o: number) => string,
  out: Record<string, string[]>,
): void {
  let vn = start;
  // The count bounds the walk: a corrupt vn_next cannot loop forever.
  for (let i = 0; vn !== undefined && i < count && vn + 16 <= buf.length; i++) {
    const file = cstr(strtab + u32(vn + 4));
    const versions = (out[file] ??= []);
    let aux = vn + u32(vn + 8);
    for (let j = 0, n = u16(vn + 2); j < n && aux + 16 <= buf.length; j++) {
      versions.push(cstr(strtab + u32(aux + 8)));
      const next = u32(aux + 12);
      if (next === 0) break;
      aux += next;
    }
    versions.sort();
    const next = u32(vn + 12);
    vn = next === 0 ? undefined : vn + next;
  }
}

/** Bytes of a program read whole (docs/matrix.md, "Limits"): a device or a runaway file must not fill memory. */
export const MAX_PROGRAM_BYTES = 512 * 1024 * 1024;

export async function readElf(path: string): Promise<ElfInfo | undefined> {
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new UsageError(`${path} is not a regular file; name the program file itself`);
    if (st.size > MAX_PROGRAM_BYTES) throw new UsageError(`${path} has ${st.size} bytes, more than the ${MAX_PROGRAM_BYTES} a program may have`);
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
    throw new UsageError(`loader ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      cause: err,
    });
  }
  if (head.subarray(0, 2).toString('latin1') === '#!') return; // busybox sh runs it
  const elf = await readElf(path);
  if (!elf) throw new UsageError(`loader ${path} is neither an ELF executable nor a #! script`);
  if (elf.arch === arch) return;
  const want = WANT[arch];
  throw new UsageError(
    `loader ${path} is built for ${describeElf(elf)} but cell ${arch} needs ${describeElf({ ...want, arch })}; ` + `build it with GOARCH=${GOARCH[arch]}`,
  );
}
