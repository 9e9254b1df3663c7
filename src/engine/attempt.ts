// Runs one cell once: inputs → its tests in one guest or more (suite-runner.ts)
// → CellResult (suite-result.ts). The only place that ties images, guest, vm and
// outcome together; each step is its own module (cell-inputs.ts, boot/plan.ts, boot/guest-run.ts, outcome/).

import path from 'node:path';
import { cellPackages } from '../boot/guest-packages.js';
import { runGuest } from '../boot/guest-run.js';
import type { BootInputs, BootPlan } from '../boot/plan.js';
import type { PreparedBtf } from '../btf/resolve.js';
import type { MatrixVm } from '../config/matrix.js';
import type { Accel } from '../core/arch.js';
import { type Cell, shippedLibraries } from '../core/cell.js';
import type { RunEvents } from '../events/run-events.js';
import type { ElfInfo } from '../guest/elf.js';
import { guestCode } from '../guest/fingerprint.js';
import type { GuestReport } from '../guest/frames.js';
import type { ImageStoreExt } from '../images/store.js';
import type { ResolvedKernel } from '../images/types.js';
import { libcFit } from '../libc/fit.js';
import { glibcVersionOfTree } from '../libc/glibc.js';
import { underCellExpect } from '../outcome/cell-outcome.js';
import type { LibcContext } from '../outcome/explain.js';
import { type AttemptMarks, notBooted, withAttempt } from '../outcome/not-booted.js';
import type { SplatRules } from '../outcome/splats.js';
import type { CellCheck } from '../results/check.js';
import { consoleLogPath } from '../results/files.js';
import type { CellResult, TestResult } from '../results/model.js';
import type { Fallback, SnapshotDeps } from '../vm/boot-request.js';
import type { CellInputs } from './cell-inputs.js';
import type { GuestParts as KeyParts } from './resume-key.js';
import { suiteResult } from './suite-result.js';
import { runSuite } from './suite-runner.js';

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
  /** The run's check, by cell id (engine/session.ts): absent without btf.objects. */
  checks?: ReadonlyMap<string, CellCheck>;
  /** run --verbose: stream the programs' output while they run (`output` events). */
  live?: boolean;
}

/** The guest's userspace for this cell: busybox and, unless static, the libc tree (both cached per run). */
export async function guestParts(cell: Cell, images: Pick<ImageStoreExt, 'busybox' | 'libc' | 'packages'>): Promise<GuestParts> {
  const [busybox, libc, packages, code] = await Promise.all([
    images.busybox(cell.arch),
    cell.libc === 'static' ? undefined : images.libc(cell.libc.replace(/^debian:/, ''), cell.arch),
    cellPackages(cell, images),
    guestCode(cell.arch),
  ]);
  return { busybox, libc, packages: packages.ids, packageRoots: packages.roots, code };
}

/** What the scheduler knows of the attempt before it starts. */
export interface AttemptContext extends AttemptMarks {
  /** The cell's guest userspace, when the scheduler resolved it already (its inputs hash needs it). */
  parts?: GuestParts;
}

/** The guest userspace of a cell (its inputs hash names it) and the package trees to unpack. */
export type GuestParts = KeyParts & { packageRoots: string[] };

export async function runCellOnce(cell: Cell, kernel: ResolvedKernel, at: AttemptContext, deps: CellDeps): Promise<CellResult> {
  const started = Date.now();
  const elfs = await Promise.all(cell.tests.map((t) => deps.inputs.loaderElf(t.path)));
  // A program's own ELF says whether it can use the cell's libc at all.
  const skipped = libcSkips(cell, elfs);
  if (skipped.size === cell.tests.length) {
    return withAttempt(notBooted(cell, 'skip', [...skipped.values()][0]!, { kernel, totalMs: Date.now() - started }), at);
  }
  const accel = await deps.inputs.accel(cell, kernel);
  const parts = at.parts ?? (await guestParts(cell, deps.inputs.images));
  const btf = await deps.inputs.btf?.prepare(cell, kernel);
  const qemuVersion = await deps.inputs.qemuVersion(cell.arch);
  const boot = bootInputs(cell, kernel, { accel, parts, btf, qemuVersion }, deps);
  const consoleLog = consoleLogPath(deps.resultsDir, cell.id);
  const guestRun = guestRunner(cell, { kernel, accel, busybox: parts.busybox, consoleLog }, at, deps);
  const libc = await libcContexts(cell, elfs, parts.libc);
  // The live line says what the cell's result will: a failure its `expect` covers is an xfail.
  const onTest = (test: TestResult) => void deps.events.emit({ type: 'test', cell, test: underCellExpect(test, cell.expect) });
  const decide = { splats: deps.splats, libc, check: deps.checks?.get(cell.id) };
  const suite = await runSuite(cell, { boot, runGuest: guestRun, decide, signal: deps.signal, onTest, skipped });
  const facts = {
    attempt: at.attempt,
    inputsHash: at.inputsHash,
    retriedAfter: at.retriedAfter,
    accel,
    started,
    backend: deps.vm.backend,
    qemuVersion,
    consoleLog: path.relative(deps.resultsDir, consoleLog),
    btf: btf?.result,
  };
  return suiteResult(cell, kernel, suite, facts);
}

/** Runs one guest of the attempt (the n-th of the cell, after n - 1 died): its boot event, its console log. */
/** What every guest of one attempt shares. */
interface AttemptGuest {
  kernel: ResolvedKernel;
  accel: Accel;
  busybox: string;
  consoleLog: string;
}

function guestRunner(cell: Cell, g: AttemptGuest, at: AttemptContext, deps: CellDeps) {
  return async (plan: BootPlan, n: number, onTestReported?: (index: number, report: GuestReport) => void) => {
    void deps.events.emit({ type: 'boot', cell, accel: g.accel, attempt: at.attempt });
    // A cell's later guests (after one died) keep their own console next to the first's.
    const log = n === 1 ? g.consoleLog : g.consoleLog.replace(/\.log$/, `.boot${n}.log`);
    const o = {
      kernel: g.kernel,
      accel: g.accel,
      vm: deps.vm,
      busybox: g.busybox,
      workDir: deps.workDir,
      consoleLog: log,
      env: deps.env,
      signal: deps.signal,
      events: deps.events,
      onTestReported,
    };
    const run = await runGuest(cell, plan, o);
    if (run.fallback) sayFallback(deps, cell, run.fallback);
    return run;
  };
}

/** Everything prepareBoot needs besides which tests the guest runs. */
export function bootInputs(
  cell: Cell,
  kernel: ResolvedKernel,
  r: { accel: Accel; parts: GuestParts; btf?: PreparedBtf; qemuVersion?: string },
  deps: CellDeps,
): Omit<BootInputs, 'only'> {
  const { images } = deps.inputs;
  return {
    cell,
    kernel,
    accel: r.accel,
    busybox: r.parts.busybox,
    libcDir: r.parts.libc,
    packageRoots: r.parts.packageRoots,
    vm: deps.vm,
    blobs: deps.inputs.blobs,
    virtioModules: (k: ResolvedKernel) => images.virtioModules(k),
    qemuVersion: r.qemuVersion,
    snapshots: deps.snapshots,
    btf: r.btf,
    sharedFiles: deps.inputs.sharedFiles,
    live: deps.live,
  };
}

/** The tests whose program cannot use the cell's libc (a static-only or glibc-only build), with why. */
function libcSkips(cell: Cell, elfs: readonly (ElfInfo | undefined)[]): Map<number, string> {
  const skips = new Map<number, string>();
  for (const [i, t] of cell.tests.entries()) {
    const elf = elfs[i];
    const fit = elf ? libcFit(elf, cell.libc, { shipped: shippedLibraries(t, elf.needed) }) : undefined;
    if (fit?.kind === 'skip') skips.set(i, fit.why);
  }
  return skips;
}

/** Each test's libc facts, for a failure's explanation (outcome/explain.ts). */
async function libcContexts(cell: Cell, elfs: readonly (ElfInfo | undefined)[], libcDir?: string): Promise<LibcContext[]> {
  const glibc = libcDir ? await glibcVersionOfTree(libcDir) : undefined;
  return cell.tests.map((t, i) => ({
    elf: elfs[i],
    libc: cell.libc,
    glibc,
    shipped: shippedLibraries(t, elfs[i]?.needed),
  }));
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
