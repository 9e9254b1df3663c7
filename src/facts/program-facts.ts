// What a BPF object needs from a kernel, read from the object alone: its programs
// (type and attach point from the section name), the helpers its code calls, the
// kfuncs and ksyms it declares extern, its maps' types and its CO-RE relocations.

import { readFile } from 'node:fs/promises';
import { type BpfElf, NotBpfObjectError, readBpfElf, SHF_EXECINSTR } from './bpf-elf.js';
import { type Btf, KIND, parseBtf, skipMods } from './btf.js';
import { type CoreRelo, coreRelos } from './core-relos.js';
import { type SectionKind, sectionKind } from './section-kinds.js';

export interface ProgramEntry {
  /** ELF section, e.g. `kprobe/sys_execve`. */
  section: string;
  /** undefined: a section name neither libbpf nor cilium/ebpf gives a meaning. */
  kind?: SectionKind;
  target?: string;
}

export interface ProgramFacts {
  file: string;
  bigEndian: boolean;
  programs: ProgramEntry[];
  /** Helper ids called (call with src_reg 0) → the sections calling them. */
  helpers: Map<number, string[]>;
  /** Extern functions (kfuncs) and variables (ksyms) the object needs; `__weak` ones are optional. */
  kfuncs: string[];
  ksyms: string[];
  weakExterns: string[];
  maps: { name: string; type: number }[];
  /** False when the object has no .BTF.ext: it carries no CO-RE relocations. */
  hasBtfExt: boolean;
  coreRelos: CoreRelo[];
  /**
   * Sections the kernel's interpreter refuses: they pass a callback (a `ld_imm64` of a
   * function, as bpf_loop's argument) or call a kfunc, which only JITed programs may.
   */
  jitOnly: string[];
}

const BPF_CALL = 0x85;
const BPF_LD_IMM64 = 0x18;
const LINKAGE_EXTERN = 2;

/** Helper calls: `call imm` with src_reg 0 (1 is a BPF-to-BPF call, 2 a kfunc call). */
function helperCalls(elf: BpfElf): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const s of elf.sections.filter((x) => (x.flags & SHF_EXECINSTR) !== 0)) {
    for (let at = 0; at + 8 <= s.data.length; at += 8) {
      if (s.data[at] !== BPF_CALL) continue;
      const regs = s.data[at + 1]!;
      const src = elf.bigEndian ? regs & 0x0f : regs >> 4;
      if (src !== 0) continue;
      const id = elf.bigEndian ? s.data.readInt32BE(at + 4) : s.data.readInt32LE(at + 4);
      const callers = out.get(id) ?? [];
      if (!callers.includes(s.name)) callers.push(s.name);
      out.set(id, callers);
    }
  }
  return out;
}

/**
 * Sections that take a function's address (a `ld_imm64` relocated against code: the
 * callback libbpf turns into BPF_PSEUDO_FUNC) or call an extern (a kfunc).
 */
function jitOnlySections(elf: BpfElf): string[] {
  const exec = new Set(elf.sections.filter((x) => (x.flags & SHF_EXECINSTR) !== 0).map((x) => x.index));
  const out = new Set<string>();
  for (const r of elf.relocs) {
    const section = elf.sections[r.section];
    const symbol = elf.symbols[r.symbol];
    if (!section || !symbol || !exec.has(section.index)) continue;
    const op = section.data[r.offset];
    const callback = op === BPF_LD_IMM64 && exec.has(symbol.section);
    if (callback || (op === BPF_CALL && symbol.section === 0)) out.add(section.name);
  }
  return [...out];
}

/** The `type` of each map in `.maps`: `__uint(type, N)` is a pointer to an array of N elements. */
function mapTypes(btf: Btf): { name: string; type: number }[] {
  const sec = btf.types.find((t) => t.kind === KIND.DATASEC && t.name === '.maps');
  return (sec?.members ?? []).flatMap((v) => {
    const variable = btf.types[v.type];
    const def = variable ? skipMods(btf, variable.ref) : undefined;
    const typeMember = def?.members.find((m) => m.name === 'type');
    const ptr = typeMember ? btf.types[typeMember.type] : undefined;
    const arr = ptr?.kind === KIND.PTR ? btf.types[ptr.ref] : undefined;
    return variable && arr?.array ? [{ name: variable.name, type: arr.array.nelems }] : [];
  });
}

function externs(btf: Btf, kind: number, weak: Set<string>): string[] {
  return btf.types.filter((t) => t.kind === kind && t.vlen === LINKAGE_EXTERN && t.name && !weak.has(t.name)).map((t) => t.name);
}

const STB_WEAK = 2;

export function programFacts(buf: Buffer, file: string): ProgramFacts {
  const elf = readBpfElf(buf, file);
  if (elf.symbols.length === 0) throw new NotBpfObjectError(`${file} is a stripped BPF object (no symbol table): no loader can find its programs`);
  const btfSec = elf.section('.BTF');
  const btf = btfSec ? parseBtf(btfSec.data) : undefined;
  const ext = elf.section('.BTF.ext');
  const weak = new Set(elf.symbols.filter((x) => x.section === 0 && x.bind === STB_WEAK && x.name).map((x) => x.name));
  const programs = elf.sections
    .filter((s) => (s.flags & SHF_EXECINSTR) !== 0 && s.name !== '.text' && s.data.length > 0)
    .map((s) => ({ section: s.name, ...sectionKind(s.name) }));
  return {
    file,
    bigEndian: elf.bigEndian,
    programs,
    helpers: helperCalls(elf),
    kfuncs: btf ? externs(btf, KIND.FUNC, weak) : [],
    // .kconfig externs (CONFIG_*, LINUX_KERNEL_VERSION) are filled by the loader, not the kernel's symbols.
    ksyms: btf ? externs(btf, KIND.VAR, weak).filter((n) => !/^(CONFIG_|LINUX_)/.test(n)) : [],
    weakExterns: [...weak].sort(),
    maps: btf ? mapTypes(btf) : [],
    hasBtfExt: ext !== undefined,
    coreRelos: ext && btf ? coreRelos(ext.data, btf) : [],
    jitOnly: jitOnlySections(elf),
  };
}

export async function readProgramFacts(file: string): Promise<ProgramFacts> {
  return programFacts(await readFile(file), file);
}
