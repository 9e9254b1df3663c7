// Runs one cell once: inputs → boot plan → VM and guest report → classification
// → CellResult. The only place that ties images, guest, vm and outcome together;
// each step is its own module (inputs.ts, boot.ts, guest-run.ts, outcome/).

import path from 'node:path';
import type { Accel } from '../core/arch.js';
import { shippedLibraries, type Cell } from '../core/cell.js';
import type { MatrixVm } from '../config/matrix.js';
import type { ResolvedKernel } from '../images/types.js';
import type { ImageStoreExt } from '../images/store.js';
import type { GuestParts } from './resume-key.js';
import { cellPackages } from './guest-packages.js';
import { libcFit } from '../libc/fit.js';
import { classifyAttempt, type Classified } from '../outcome/classify.js';
import type { LibcContext } from '../outcome/explain.js';
import type { SplatRules } from '../outcome/splats.js';
import { kernelOf, notBooted } from '../outcome/not-booted.js';
import { consoleLogPath } from '../results/files.js';
import type { CellResult, TestResult } from '../results/model.js';
import type { GuestReport } from '../guest/frames.js';
import { guestCode } from '../guest/fingerprint.js';
import { loaderTest, outputCutOf } from '../results/tests.js';
import { prepareBoot, runsAsSuite, type BootPlan } from './boot.js';
import { runSuite } from './suite-runner.js';
import { suiteResult, type AttemptFacts } from './suite-result.js';
import type { Fallback, SnapshotDeps } from './snapshot-boot.js';
import type { RunEvents } from '../events/run-events.js';
import { runGuest, type GuestRun } from './guest-run.js';
import type { CellInputs } from './inputs.js';
import type { CellBtf } from '../results/btf.js';
import { settleBtf } from '../btf/resolve.js';

export interface CellDeps {
  inputs: CellInputs;
  vm: MatrixVm;
  resultsDir: string;
  /** Scratch space (sockets, vng initramfs files), removed with the run. */
  workDir: string;
  /** Snapshot boots (undefined: off, every cell boots cold). */
  snapshots?: Pick<SnapshotDeps, 'store' | 'withLock'>;
  /** The command's environment: QEMU and vng run with it, vng is looked up on its PATH. */
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  events: Pick<RunEvents, 'emit'>;
  /** The matrix's `splats:` rules; none when absent. */
  splats?: SplatRules;
  /** run --verbose: stream the programs' output while they run (`output` events). */
  live?: boolean;
}

/** The guest's userspace for this cell: busybox and, unless static, the libc tree (both cached per run). */
export async function guestParts(cell: Cell, images: Pick<ImageStoreExt, 'busybox' | 'libc' | 'packages'>): Promise<GuestParts & { packageRoots: string[] }> {
  const [busybox, libc, packages, code] = await Promise.all([
    images.busybox(cell.arch),
    cell.libc === 'static' ? undefined : images.libc(cell.libc.replace(/^debian:/, ''), cell.arch),
    cellPackages(cell, images),
    guestCode(cell.arch),
  ]);
  return { busybox, libc, packages: packages.ids, packageRoots: packages.roots, code };
}

export async function runCellOnce(cell: Cell, kernel: ResolvedKernel, attempt: number, deps: CellDeps): Promise<CellResult> {
  const started = Date.now();
  // libc axis: the loader's own ELF says whether this libc cell can apply at all.
  const elf = await deps.inputs.loaderElf(cell.loader.path);
  const libc: LibcContext = { elf, shipped: shippedLibraries(cell, elf?.needed) };
  const fit = libc.elf ? libcFit(libc.elf, cell.libc, { shipped: libc.shipped }) : undefined;
  const suite = runsAsSuite(cell);
  if (fit?.kind === 'skip' && !suite) return notBooted(cell, 'skip', fit.why, { kernel, totalMs: Date.now() - started });
  // In a cell of tests, each program's ELF decides for its own test.
  const skipped = suite ? await libcSkips(cell, deps.inputs) : new Map<number, string>();
  if (skipped.size === cell.tests.length) return notBooted(cell, 'skip', [...skipped.values()][0]!, { kernel, totalMs: Date.now() - started });

  const accel = await deps.inputs.accel(cell, kernel);
  const { images } = deps.inputs;
  const { busybox, libc: libcDir, packageRoots } = await guestParts(cell, images);
  const btf = await deps.inputs.btf?.prepare(cell, kernel);
  const qemuVersion = await deps.inputs.qemuVersion(cell.arch);
  const boot = {
    cell,
    kernel,
    accel,
    busybox,
    libcDir,
    packageRoots,
    vm: deps.vm,
    blobs: deps.inputs.blobs,
    virtioModules: (k: ResolvedKernel) => images.virtioModules(k),
    qemuVersion,
    snapshots: deps.snapshots,
    btf,
    sharedFiles: deps.inputs.sharedFiles,
    live: deps.live,
  };
  const consoleLog = consoleLogPath(deps.resultsDir, cell.id);
  const guestRun = async (plan: BootPlan, n: number, onTestReported?: (index: number, report: GuestReport) => void) => {
    void deps.events.emit({ type: 'boot', cell, accel, attempt });
    // A cell's later guests (after one died) keep their own console next to the first's.
    const log = n === 1 ? consoleLog : consoleLog.replace(/\.log$/, `.boot${n}.log`);
    const run = await runGuest(cell, plan, { kernel, accel, vm: deps.vm, busybox, workDir: deps.workDir, consoleLog: log, env: deps.env, signal: deps.signal, events: deps.events, onTestReported });
    if (run.fallback) sayFallback(deps, cell, run.fallback);
    return run;
  };
  const facts = { accel, attempt, started, backend: deps.vm.backend, qemuVersion, consoleLog: path.relative(deps.resultsDir, consoleLog), btf: btf?.result };
  if (suite) {
    const onTest = (test: TestResult) => void deps.events.emit({ type: 'test', cell, test });
    const suite = await runSuite(cell, { boot, runGuest: guestRun, splats: deps.splats, signal: deps.signal, onTest, skipped });
    return suiteResult(cell, kernel, suite, facts);
  }
  const plan = await prepareBoot(boot);
  const run = await guestRun(plan, 1);
  // A failure of ours (inputs never delivered) or of the base /init is infrastructure.
  const exit = run.error && !run.exit.spawnError ? { ...run.exit, spawnError: run.error } : run.exit;
  const classified = await classifyAttempt(cell, exit, run.report, plan.bootSec, { ...libc, libcDir }, { consoleAfterStart: run.consoleAfterStart, splats: deps.splats });
  return bootedResult(cell, kernel, classified, run, facts);
}

/** The tests whose program cannot use the cell's libc (a static-only or glibc-only build), with why. */
async function libcSkips(cell: Cell, inputs: CellDeps['inputs']): Promise<Map<number, string>> {
  const skips = new Map<number, string>();
  for (const [i, t] of cell.tests.entries()) {
    const elf = await inputs.loaderElf(t.path);
    const fit = elf ? libcFit(elf, cell.libc, { shipped: t.files.map((f) => path.basename(f.src)) }) : undefined;
    if (fit?.kind === 'skip') skips.set(i, fit.why);
  }
  return skips;
}

// Once per boot key and process: every later cell of that key restores again.
// Each fallback once per snapshot key and run (a run's events sink stands for the run).
const warned = new WeakMap<object, Set<string>>();
function sayFallback(deps: CellDeps, cell: Cell, fallback: Fallback): void {
  const said = warned.get(deps.events) ?? new Set<string>();
  warned.set(deps.events, said);
  if (said.has(fallback.key)) return;
  said.add(fallback.key);
  void deps.events.emit({ type: 'log', level: 'warn', message: `${cell.id}: ${fallback.message}` });
}

/** The CellResult of an attempt that booted (or tried to): pure. */
function bootedResult(cell: Cell, kernel: ResolvedKernel, c: Classified, run: GuestRun, a: AttemptFacts): CellResult {
  const { exit, report } = run;
  const result: Omit<CellResult, 'tests'> = {
    id: cell.id,
    arch: cell.arch,
    kernel: kernelOf(cell, kernel),
    config: cell.config.name,
    libc: cell.libc,
    status: c.status,
    reason: c.reason,
    expected: cell.expect,
    accel: a.accel,
    backend: a.backend,
    boot: run.boot,
    timings: { bootMs: run.bootMs, loaderMs: run.loaderMs, totalMs: Date.now() - a.started },
    exitCode: report.exitCode,
    timedOut: exit.timedOut || report.timedOut,
    bootFailed: c.bootFailed,
    attempts: a.attempt,
    stdout: report.stdout,
    stderr: report.stderr,
    dmesg: report.dmesg,
    kernelLog: c.kernelLog,
    consoleTail: c.status === 'pass' ? '' : exit.consoleTail,
    guest: report.facts,
    btf: settleBtf(a.btf, report.facts.btfPresent),
    qemuVersion: a.qemuVersion,
    consoleLog: a.consoleLog,
    startedAt: new Date(a.started).toISOString(),
  };
  const cut = outputCutOf(report.outputCut);
  if (cut) result.outputCut = cut;
  // The one-program guest runs the cell's first (only) test: its outcome is the cell's.
  return { ...result, tests: [loaderTest(result, cell.tests[0])] };
}
