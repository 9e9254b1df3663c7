// One cell of the matrix: what to boot and what to run. Built by plan/expand.ts
// (pure) from a validated Matrix; consumed by the run engine. Every layer may
// import these types; reports see cells only through results/model.ts.

import type { Arch } from './arch.js';

/** A kernel source as written in matrix.yaml, e.g. `debian:bookworm/cloud`. */
export interface KernelSpec {
  /** The source string, verbatim. */
  source: string;
  /** Short stable name used in cell ids, e.g. `debian-bookworm` or the user's `name`. */
  name: string;
  /** Where the kernel was declared, for located errors and GitHub annotations. */
  line?: number;
  /** Overrides the config's BTF mode for this kernel. */
  btf?: BtfMode;
}

/** The BTF a cell's loader sees (`btf:` in matrix.yaml; btf/mode.ts). */
export type BtfMode = { kind: 'kernel' | 'none' | 'auto' | 'min' } | { kind: 'file'; path: string };

/** A named kernel configuration (kernel command line, sysctls, user, capabilities). */
export interface ConfigSpec {
  name: string;
  cmdline: string[];
  sysctl: Record<string, string>;
  /** uid or user name the loader runs as; root when absent. */
  user?: string;
  /** Capability names without the CAP_ prefix, lower case (e.g. `bpf`, `perfmon`). */
  capabilities?: string[];
  /** Overrides the Debian flavour of every debian: kernel for this config. */
  flavour?: string;
  /** Kernel BTF the loader sees; absent = the kernel's own. */
  btf?: BtfMode;
  line?: number;
}

/** Where a test's file lands: `dest` is a directory relative to the test's root ('' = the root). */
export interface TestFile {
  /** Host path (globs already expanded). */
  src: string;
  dest: string;
}

/** Debian packages a test needs in the guest, from `suite` (default: the cell libc's suite). */
export interface PackagesSpec {
  names: string[];
  suite?: string;
  /** Where each name is written in matrix.yaml, for a located error before any boot. */
  at?: Record<string, PackageAt>;
}

export interface PackageAt {
  line: number;
  col: number;
  /** The field as messages name it, e.g. `tests[1].packages[0]`. */
  field: string;
}

/** One entry of `tests:` for one cell: placeholders filled in, globs expanded. */
export interface TestSpec {
  /** Unique in the matrix, `[a-z0-9._-]+`; `loader` for a matrix with `loader:`. */
  name: string;
  kind: 'exec' | 'gotest';
  /** Host path of the program for this cell's arch. */
  path: string;
  args: string[];
  env: Record<string, string>;
  files: TestFile[];
  /** Directory under the test's root it starts in ('' = the root). */
  workdir: string;
  timeoutSec: number;
  /** Matrix-level and test-level packages together; absent when none. */
  packages?: PackagesSpec;
  /** `expect` entries that name this test. */
  expect?: Expectation;
}

export interface Expectation {
  /** `fail`: the cell is expected to fail. `flaky`: a known flake, quarantined (never fails the run). */
  result: 'fail' | 'flaky';
  reason: string;
}

export interface Cell {
  /** Stable id: `<arch>/<kernel name>/<config>[/<libc>]`, e.g. `amd64/debian-bookworm/default`. */
  id: string;
  arch: Arch;
  kernel: KernelSpec;
  config: ConfigSpec;
  /** `static` or `debian:<suite>` (the glibc the loader runs against). */
  libc: string;
  /** The tests the cell runs one after another in one guest, in matrix order (never empty). */
  tests: TestSpec[];
  expect?: Expectation;
  /** Set when the cell cannot run here (e.g. no kernel for this arch): reported as `skip`. */
  skip?: string;
}

/**
 * The one order of cell ids (and of id-like keys): plain code-unit comparison,
 * locale-independent, so every sorted output is byte-for-byte stable.
 */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders anything with an id by compareIds. */
export const byId = (a: { id: string }, b: { id: string }): number => compareIds(a.id, b.id);

/** The name of the one test a `loader:` matrix has: its reasons speak of the loader. */
export const LOADER_TEST = 'loader';

/**
 * What a program's libc check counts as present besides the libc: its files, and
 * every other library it needs, since the library pre-flight (boot/guest-packages.ts)
 * refuses the run before any boot unless the packages or the files provide them.
 */
export function shippedLibraries(test: Pick<TestSpec, 'files'>, needed: readonly string[] = []): string[] {
  return [...test.files.map((f) => f.src.split('/').pop()!), ...needed];
}
