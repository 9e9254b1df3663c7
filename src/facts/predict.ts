// What one BPF object needs that one kernel lacks, before any boot: the BTF its
// CO-RE relocations need and the fields in it, helpers, kfuncs and ksyms, program,
// attach and map types, attach points, and the CONFIG_ options its program types
// need. Pure: the facts come in, findings go out.

import path from 'node:path';
import type { BtfMode } from '../core/cell.js';
import { KIND } from './btf.js';
import { coreFindings } from './core-match.js';
import { PROBE_KINDS } from './core-relos.js';
import type { Finding, IdNames } from './finding.js';
import type { KernelView } from './kernel-facts.js';
import { lockdownFindings } from './lockdown.js';
import { privilegeFindings, type Who } from './privilege.js';
import type { ProgramEntry, ProgramFacts } from './program-facts.js';
import { targetFinding } from './target-match.js';

export interface PredictInput {
  program: ProgramFacts;
  kernel: KernelView;
  /** The BTF the cell's loader sees (`btf:`). */
  btfMode: BtfMode;
  names: IdNames;
  /** The cell's extra kernel command line (`lockdown=` takes helpers away). */
  cmdline?: readonly string[];
  /** Who the loader runs as: the cell's config (`user:`, `capabilities:`, `sysctl:`); root when absent. */
  who?: Who;
}

function btfFindings({ program, kernel, btfMode }: PredictInput, object: string): Finding[] {
  if (!program.coreRelos.some((r) => !PROBE_KINDS.includes(r.kind))) return [];
  const need = 'kernel BTF';
  if (btfMode.kind === 'none')
    return [
      {
        kind: 'btf',
        level: 'fail',
        object,
        need,
        detail: 'btf: none hides /sys/kernel/btf/vmlinux, so CO-RE relocations cannot be applied',
      },
    ];
  if (btfMode.kind === 'kernel' && kernel.facts.btfSource !== 'kernel') {
    return [
      {
        kind: 'btf',
        level: 'fail',
        object,
        need,
        detail: 'this kernel has no BTF of its own (CONFIG_DEBUG_INFO_BTF unset); btf: auto would generate it',
      },
    ];
  }
  if (!kernel.btf) return [{ kind: 'btf', level: 'unknown', object, need, detail: 'no BTF of this kernel to check the relocations against' }];
  return coreFindings(object, program.coreRelos, kernel.btf);
}

function idFindings({ program, kernel, names }: PredictInput, object: string): Finding[] {
  if (!kernel.btf) return [];
  const helpers = new Set(kernel.facts.helpers.map((h) => h.id));
  const maps = new Set(kernel.facts.mapTypes.map((m) => m.id));
  const newest = kernel.facts.helpers.at(-1);
  const out: Finding[] = [];
  for (const [id, sections] of program.helpers) {
    if (helpers.has(id)) continue;
    const need = `${names.helpers.get(id) ?? 'helper'} (${id})`;
    const detail = `not in this kernel's enum bpf_func_id${newest ? ` (its last: ${newest.name}, ${newest.id})` : ''}`;
    out.push({ kind: 'helper', level: 'fail', object, section: sections[0], need, detail });
  }
  for (const m of program.maps) {
    if (maps.has(m.type)) continue;
    const need = `${names.mapTypes.get(m.type) ?? 'map type'} (${m.type})`;
    out.push({
      kind: 'map-type',
      level: 'fail',
      object,
      need,
      detail: `map ${m.name}: not in this kernel's enum bpf_map_type`,
    });
  }
  return out;
}

function externFindings({ program, kernel }: PredictInput, object: string): Finding[] {
  if (!kernel.btf) return [];
  const funcs = new Set(kernel.btf.funcNames());
  const kfuncs = program.kfuncs
    .filter((f) => !funcs.has(f))
    .map((need): Finding => {
      // A module's kfunc is in the module's BTF, not vmlinux's: absent here is not proof.
      return {
        kind: 'kfunc',
        level: 'fail',
        object,
        need,
        detail: "not among this kernel's BTF functions (vmlinux; a module's kfunc would not show)",
      };
    });
  const vars = new Set(kernel.btf.btf.types.filter((t) => t.kind === KIND.VAR).map((t) => t.name));
  const ksyms = program.ksyms
    .filter((s) => !vars.has(s) && !kernel.symbols?.has(s))
    .map((need): Finding => {
      const sure = kernel.facts.symbolsSource === 'system.map';
      return {
        kind: 'ksym',
        level: sure ? 'fail' : 'unknown',
        object,
        need,
        detail: sure ? 'not in System.map' : "not a BTF variable; whether kallsyms has it needs the package's System.map",
      };
    });
  return [...kfuncs, ...ksyms];
}

function typeFindings({ program, kernel }: PredictInput, object: string): Finding[] {
  const progTypes = new Set(kernel.facts.progTypes.map((t) => t.name));
  const attachTypes = new Set(kernel.facts.attachTypes.map((t) => t.name));
  const out: Finding[] = [];
  for (const p of program.programs) {
    if (!p.kind) continue;
    const section = p.section;
    if (kernel.btf && !progTypes.has(p.kind.progType))
      out.push({
        kind: 'prog-type',
        level: 'fail',
        object,
        section,
        need: p.kind.progType,
        detail: "not in this kernel's enum bpf_prog_type",
      });
    if (kernel.btf && p.kind.attachType && !attachTypes.has(p.kind.attachType))
      out.push({
        kind: 'attach-type',
        level: 'fail',
        object,
        section,
        need: p.kind.attachType,
        detail: "not in this kernel's enum bpf_attach_type",
      });
    const target = targetFinding(object, p, kernel);
    if (target) out.push(target);
    out.push(...configFindings(p, kernel, object));
  }
  return dedupe(out);
}

/** The CONFIG_ options a program's type needs that the kernel's config leaves unset (none without a config). */
function configFindings(p: ProgramEntry, kernel: KernelView, object: string): Finding[] {
  if (!p.kind || !kernel.config) return [];
  const kind = p.kind;
  return kind.configs
    .filter((c) => !['y', 'm'].includes(kernel.config?.get(`CONFIG_${c}`) ?? ''))
    .map((c) => ({
      kind: 'config',
      level: 'fail',
      object,
      section: p.section,
      need: `CONFIG_${c}`,
      detail: `not set in this kernel's config; ${kind.attachType ?? kind.progType} programs need it`,
    }));
}

/** A callback or a kfunc call needs the JIT: the interpreter refuses both (Debian's s390x kernels build none). */
function jitFindings({ program, kernel }: PredictInput, object: string): Finding[] {
  if (!kernel.config || kernel.config.get('CONFIG_BPF_JIT') === 'y') return [];
  return program.jitOnly.map((section) => ({
    kind: 'config',
    level: 'fail',
    object,
    section,
    need: 'CONFIG_BPF_JIT',
    detail: "not set in this kernel's config; the interpreter refuses the program's callback or kfunc call",
  }));
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.kind} ${f.need} ${f.level}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Every finding of one object on one kernel, CO-RE first. */
export function predictObject(input: PredictInput): Finding[] {
  const object = path.basename(input.program.file);
  return [
    ...btfFindings(input, object),
    ...idFindings(input, object),
    ...externFindings(input, object),
    ...typeFindings(input, object),
    ...dedupe(jitFindings(input, object)),
    ...lockdownFindings(input.program, input.kernel, input.cmdline ?? [], input.names, object),
    ...(input.who ? privilegeFindings(input.program, input.kernel, input.who, object) : []),
  ];
}

/** The id → name tables from every kernel's own enums. */
export function idNames(kernels: readonly KernelView[]): IdNames {
  const names: IdNames = { helpers: new Map(), mapTypes: new Map() };
  for (const k of kernels) {
    for (const h of k.facts.helpers) names.helpers.set(h.id, h.name);
    for (const m of k.facts.mapTypes) names.mapTypes.set(m.id, m.name);
  }
  return names;
}
