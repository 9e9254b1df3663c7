// The one builder of the cells, test results and run results that tests hand to the
// code under test: a valid default that each test overrides only where it matters.
// When the shape of a cell or a result changes, this file follows and the tests do not.

import type { Arch } from '../../src/core/arch.js';
import { byId, type Cell, type ConfigSpec, type KernelSpec, type TestSpec } from '../../src/core/cell.js';
import { withVerdict } from '../../src/outcome/run-verdict.js';
import { type CellResult, type RunResults, SCHEMA_VERSION, type TestResult } from '../../src/results/model.js';
import { upgradeCell } from '../../src/results/tests.js';

/**
 * A kernel as a test names it: `debian:trixie` (named `debian-trixie`), a bare name
 * (`trixie`, `k`: a Debian suite of that name; `debian-trixie`: debian:trixie), or fields.
 */
export type KernelLike = string | (Partial<KernelSpec> & Partial<CellResult['kernel']>);

const nameOf = (source: string) => source.replace(':', '-').replace('/', '-');
const sourceOf = (name: string) => (name.startsWith('debian-') ? name.replace('-', ':') : `debian:${name}`);

function kernelOf(k: KernelLike = 'debian:trixie'): KernelSpec & Partial<CellResult['kernel']> {
  if (typeof k === 'string') return k.includes(':') ? { source: k, name: nameOf(k) } : { source: sourceOf(k), name: k };
  const source = k.source ?? sourceOf(k.name ?? 'trixie');
  return { ...k, source, name: k.name ?? nameOf(source) };
}

/** One entry of a cell's `tests:`: an exec test named `loader`, 60 s. */
export function testSpec(over: Partial<TestSpec> = {}): TestSpec {
  return {
    name: 'loader',
    kind: 'exec',
    path: '/l/amd64',
    args: [],
    env: {},
    files: [],
    workdir: '',
    timeoutSec: 60,
    ...over,
  };
}

export interface CellOverrides extends Partial<Omit<Cell, 'kernel' | 'config' | 'tests'>> {
  kernel?: KernelLike;
  /** A config name, or its fields. */
  config?: string | Partial<ConfigSpec>;
  /** The cell's tests, each over testSpec's defaults (program `/l/<arch>`); one `loader` test when absent. */
  tests?: Partial<TestSpec>[];
}

/** A planned cell: amd64, debian:trixie, config `default`, static libc, one test; its id from those. */
export function cell(over: CellOverrides = {}): Cell {
  const { kernel: k, config: c, tests: t, ...rest } = over;
  const arch = over.arch ?? 'amd64';
  const kernel = kernelOf(k);
  const config: ConfigSpec = { name: 'default', cmdline: [], sysctl: {}, ...(typeof c === 'string' ? { name: c } : c) };
  const tests = (t ?? [{}]).map((x) => testSpec({ path: `/l/${arch}`, ...x }));
  return {
    id: `${arch}/${kernel.name}/${config.name}`,
    arch,
    kernel,
    config,
    libc: 'static',
    tests,
    ...rest,
  };
}

/** A test as it ran: `loader`, exec, passed, no output. */
export function testResult(over: Partial<TestResult> = {}): TestResult {
  return {
    name: 'loader',
    kind: 'exec',
    status: 'pass',
    timedOut: false,
    timings: {},
    stdout: '',
    stderr: '',
    kernelLog: '',
    ...over,
  };
}

export type CellResultOverrides = Partial<Omit<CellResult, 'kernel'>> & { kernel?: KernelLike };

/**
 * A finished cell: passed in one attempt of 1 s, no output. Its id comes from arch, kernel
 * and config, or they from its id (`arm64/bookworm/lockdown`). Without `tests`, it ran one
 * test named `loader` that ended as the cell did.
 */
export function cellResult(over: CellResultOverrides = {}): CellResult {
  const [idArch, idKernel, idConfig] = over.id?.split('/') ?? [];
  const arch = over.arch ?? (idArch as Arch | undefined) ?? 'amd64';
  const k = over.kernel ?? idKernel;
  const kernel = kernelOf(typeof k === 'object' && idKernel ? { name: idKernel, ...k } : k);
  const config = over.config ?? idConfig ?? 'default';
  const base = {
    id: `${arch}/${kernel.name}/${config}`,
    libc: 'static',
    status: 'pass' as const,
    timings: { totalMs: 1000 },
    timedOut: false,
    bootFailed: false,
    attempts: 1,
    stdout: '',
    stderr: '',
    dmesg: '',
    consoleTail: '',
  };
  return upgradeCell({ ...base, ...over, arch, kernel, config });
}

/**
 * A run's results: its cells sorted by id, and the verdict `portmatrix run` records
 * (`strict` as with --strict). `verdict: undefined` gives a file written before verdicts.
 */
export function runResults(cells: CellResult[], over: Partial<RunResults> & { strict?: boolean } = {}): RunResults {
  const { strict, ...rest } = over;
  const results: RunResults = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'portmatrix', version: '0.1.0' },
    matrix: 'matrix.yaml',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    host: { arch: 'x64', cpus: 2, node: 'v20.19.0' },
    cells: [...cells].sort(byId),
  };
  return { ...withVerdict(results, { strict }), ...rest };
}
