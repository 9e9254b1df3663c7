// Guest packages: from the names a matrix lists to the exact .debs of one suite
// and arch, following Pre-Depends and Depends (first alternative, like apt's
// default choice; the newest version the suite has). Pure: stanzas in, DebRefs out.
//
// Two kinds of dependency are not followed, and each is reported as skipped:
// - packages the guest already has (libc6: the cell's libc axis provides it, and a
//   second copy from another suite would shadow the one the cell is about);
// - Essential packages (dpkg, perl-base, ...): Debian policy 3.8 says packages may
//   assume them installed, so when a library names one it is for maintainer
//   scripts, which portmatrix never runs; a program that needs one lists it.

import { nearest } from '../../config/suggest.js';
import type { Arch } from '../../core/arch.js';
import { UsageError } from '../../errors.js';
import { type DebRef, debRef, type Stanza } from './deb822.js';
import { compareDebianVersions } from './dpkg-version.js';

export interface Relation {
  name: string;
  /** `>=`, `<<`, `=`, ... with its version, when the relation has one. */
  op?: string;
  version?: string;
}

/** `a (>= 1) | b, c:any` → [[a >= 1, b], [c]]; arch qualifiers and [arch] lists dropped. */
export function parseRelations(field: string | undefined): Relation[][] {
  if (!field?.trim()) return [];
  return field.split(',').map((group) =>
    group.split('|').map((alt) => {
      const m = /^\s*([a-z0-9][a-z0-9+.-]*)(?::[a-z0-9-]+)?\s*(?:\(\s*(<<|<=|=|>=|>>|<|>)\s*([^)\s]+)\s*\))?/.exec(alt);
      if (!m) throw new Error(`cannot parse relation "${alt.trim()}"`);
      return { name: m[1]!, ...(m[2] ? { op: m[2], version: m[3]! } : {}) };
    }),
  );
}

export function satisfies(version: string, r: Relation): boolean {
  if (!r.op || !r.version) return true;
  const c = compareDebianVersions(version, r.version);
  switch (r.op) {
    case '<<':
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '=':
      return c === 0;
    case '>=':
      return c >= 0;
    default:
      return c > 0;
  }
}

/** A name the suite does not have: a config error with the nearest real name. */
export class UnknownPackageError extends UsageError {
  constructor(
    readonly pkg: string,
    readonly suite: string,
    readonly arch: Arch,
    readonly suggestion: string | undefined,
  ) {
    super(`Debian ${suite} has no package ${pkg} for ${arch}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`);
  }
}

export interface Resolution {
  /** Every .deb to unpack, sorted by package name. */
  debs: DebRef[];
  /** Dependencies not followed, and why. */
  skipped: { package: string; reason: string }[];
}

export interface ResolveOptions {
  /** Packages the guest already has, not followed as dependencies; default libc6. */
  provided?: readonly string[];
}

/** Newest stanza per real package name (for the arch or `all`), plus who Provides what. */
function indexOf(stanzas: readonly Stanza[], arch: Arch) {
  const real = new Map<string, Stanza>();
  const providers = new Map<string, string[]>();
  for (const s of stanzas) {
    if (s.Architecture !== arch && s.Architecture !== 'all') continue;
    const name = s.Package!;
    const have = real.get(name);
    if (!have || compareDebianVersions(s.Version!, have.Version!) > 0) real.set(name, s);
    for (const [p] of parseRelations(s.Provides)) providers.set(p!.name, [...(providers.get(p!.name) ?? []), name]);
  }
  return { real, providers };
}

export function resolvePackages(stanzas: readonly Stanza[], roots: readonly string[], suite: string, arch: Arch, opts: ResolveOptions = {}): Resolution {
  const { real, providers } = indexOf(stanzas, arch);
  const provided = new Set(opts.provided ?? ['libc6']);
  const chosen = new Map<string, Stanza>();
  const skipped = new Map<string, string>();
  const queue: { rel: Relation; from?: string }[] = roots.map((name) => ({ rel: { name } }));
  while (queue.length) {
    const { rel, from } = queue.shift()!;
    if (chosen.has(rel.name) || skipped.has(rel.name)) continue;
    // Names asked for are always unpacked (a build sysroot asks for libc6 itself).
    if (from && provided.has(rel.name)) {
      skipped.set(rel.name, 'the guest has it already (the cell libc)');
      continue;
    }
    // A virtual name (no real package) goes to its provider, the same one every time.
    const stanza =
      real.get(rel.name) ??
      real.get([...(providers.get(rel.name) ?? [])].sort().find((p) => chosen.has(p)) ?? [...(providers.get(rel.name) ?? [])].sort()[0] ?? '');
    if (!stanza) {
      if (!from) throw new UnknownPackageError(rel.name, suite, arch, nearest(rel.name, [...real.keys(), ...providers.keys()]));
      throw new UsageError(`Debian ${suite} ${arch}: ${from} depends on ${rel.name}, which the suite does not have`);
    }
    if (from && stanza.Essential === 'yes') {
      skipped.set(stanza.Package!, 'Essential: packages assume it; only maintainer scripts use it');
      continue;
    }
    if (!satisfies(stanza.Version!, rel)) {
      throw new UsageError(`Debian ${suite} ${arch}: ${from} needs ${rel.name} (${rel.op} ${rel.version}) but the suite has ${stanza.Version}`);
    }
    chosen.set(stanza.Package!, stanza);
    for (const group of [...parseRelations(stanza['Pre-Depends']), ...parseRelations(stanza.Depends)]) {
      queue.push({ rel: group[0]!, from: stanza.Package });
    }
  }
  const debs = [...chosen.values()].map(debRef).sort((a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : 0));
  return {
    debs,
    skipped: [...skipped].map(([p, reason]) => ({ package: p, reason })).sort((a, b) => (a.package < b.package ? -1 : 1)),
  };
}
