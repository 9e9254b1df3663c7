// The validated matrix.yaml, after defaults. config/load.ts produces it;
// plan/expand.ts turns it into cells. Paths are absolute (resolved against the
// matrix file's directory). Defaults are stated in config/schema.ts where declared.

import type { Arch } from '../core/arch.js';
import type { ConfigSpec, KernelSpec, PackagesSpec } from '../core/cell.js';
import type { Confinement } from './confine.js';
import type { GlobSite } from './host-paths.js';

/** One entry of `tests:` (a matrix with `loader:` has one, named `loader`). */
export interface MatrixTest {
  name: string;
  /** Default exec. */
  kind: 'exec' | 'gotest';
  /** Path template with `{arch}` / `{goarch}` placeholders, absolute. */
  path: string;
  args: string[];
  env: Record<string, string>;
  /** Absolute paths or globs (expanded per arch at plan time), each with its directory under the test's root ('' = the root). */
  files: { src: string; dest: string }[];
  /** Directory under the test's root it starts in; default '' (the root). */
  workdir: string;
  /** Seconds; default 60. */
  timeout: number;
  packages?: PackagesSpec;
  line?: number;
}

export interface MatrixVm {
  /** MiB; default 512. */
  memory: number;
  /** default 1. */
  cpus: number;
  /** Seconds from QEMU start until the guest's /init reports; default 60 (scaled ×3 under TCG for s390x). */
  bootTimeout: number;
  accel: 'auto' | 'kvm' | 'tcg';
  backend: 'qemu' | 'vng';
  /** Give the guest a user-mode network device; default false. */
  network: boolean;
  /** Restore a saved state of each distinct boot per cell (auto) or boot every cell (off); default auto. */
  snapshot: 'auto' | 'off';
}

/** A partial cell match, GitHub-Actions-like: every given key must equal. */
export interface CellMatch {
  arch?: string;
  kernel?: string;
  config?: string;
  libc?: string;
  /** A test name (exclude, expect): the entry applies to that test only. */
  test?: string;
  line?: number;
  col?: number;
}

export interface Matrix {
  /** Absolute path of matrix.yaml. */
  file: string;
  /** Its directory: the base of every relative path in it. */
  dir: string;
  /** Where its paths may lead (config/confine.ts); absent: anywhere (a matrix built in code). */
  confinement?: Confinement;
  /** The globs of `files` and `btf.objects`, where they are written. */
  globSites?: GlobSite[];
  /** What each glob of `files` and `btf.objects` matched, by pattern with `{arch}` filled (plan/files.ts). */
  globbed?: Record<string, string[]>;
  kernels: KernelSpec[];
  arches: Arch[];
  configs: ConfigSpec[];
  libc: string[];
  tests: MatrixTest[];
  /** Matrix-level `packages:`, for every test. */
  packages?: PackagesSpec;
  vm: MatrixVm;
  /** Mirrors and keyrings by option key (core/distros.ts sourceOptions), e.g. debianMirror, ubuntuKeyring. */
  images: Record<string, string | undefined> & { debianMirror?: string };
  /** Absolute patterns of the program's BPF objects (`{arch}`/`{goarch}` unfilled), for minimal BTF. */
  btf: { objects: string[]; objectsAt?: { line: number; col: number }[] };
  include: CellMatch[];
  exclude: CellMatch[];
  expect: (CellMatch & { result: 'fail' | 'flaky'; reason: string })[];
  /** Regular-expression sources, checked to compile (outcome/splats.ts compiles them). */
  splats: { allow: string[]; deny: string[] };
  /** Kernel sources in ascending order for `portmatrix bisect`; absent: none written. */
  bisect?: string[];
}
