// Runs one prepared guest to its end and reads its framed report back (console,
// and the inputs port for the output blocks): each test's start and end become
// events as they happen; the console lands in the cell's console log.
// QEMU guests restore their boot's snapshot or boot cold (vm/snapshot-boot.ts).

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { MatrixVm } from '../config/matrix.js';
import type { Accel } from '../core/arch.js';
import type { Cell } from '../core/cell.js';
import type { RunEvent, RunEvents } from '../events/run-events.js';
import { type FrameEvent, FrameParser, type GuestReport } from '../guest/frames.js';
import type { ResolvedKernel } from '../images/types.js';
import type { Fallback } from '../vm/boot-request.js';
import { withInlineInitrd } from '../vm/inline-boot.js';
import { runVm, type VmConsole, type VmExit } from '../vm/process.js';
import { qemuCommand } from '../vm/profiles.js';
import { bootCell } from '../vm/snapshot-boot.js';
import { runVngCell } from '../vm/vng-runner.js';
import type { BootPlan } from './plan.js';

export interface GuestRun {
  exit: VmExit;
  report: GuestReport;
  /** From spawn to the loader's start, and the loader's own run time (ms). */
  bootMs?: number;
  loaderMs?: number;
  /** Console lines after the loader started (at most AFTER_START_LINES): a kernel crash's first lines. */
  consoleAfterStart: string;
  /** How the guest started (qemu only). */
  boot?: 'snapshot' | 'cold';
  /** Why a snapshot was not used although snapshots are on. */
  fallback?: Fallback;
  /** Our failure, or the base /init's, before the cell started: infra. */
  error?: string;
  /** The test (index) whose end frame never came in time: portmatrix stopped the guest as wedged. */
  wedged?: number;
}

const AFTER_START_LINES = 400;

export interface GuestRunOptions {
  kernel: ResolvedKernel;
  accel: Accel;
  vm: MatrixVm;
  busybox: string;
  workDir: string;
  consoleLog: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  events: Pick<RunEvents, 'emit'>;
  /** A test's last block (dmesg.<i>) arrived: the report so far holds all of test i. */
  onTestReported?: (index: number, report: GuestReport) => void;
  /** `portmatrix shell`: the guest's console on the host's terminal (qemu only). */
  console?: VmConsole;
}

export async function runGuest(cell: Cell, plan: BootPlan, o: GuestRunOptions): Promise<GuestRun> {
  await mkdir(path.dirname(o.consoleLog), { recursive: true });
  const spawnedAt = Date.now();
  const watch = testWatchdog(plan);
  const reader = consoleReader(cell, plan, o, watch);
  const booted = await bootGuest(cell, plan, o, vmRun(plan, o, watch, reader.onLine));
  watch.end();
  const run: GuestRun = {
    ...booted,
    report: reader.parser.end(),
    ...timings(reader.seen, spawnedAt),
    consoleAfterStart: reader.afterStart.join('\n'),
  };
  if (watch.wedged !== undefined) run.wedged = watch.wedged;
  return run;
}

/** What every kind of guest runs with: its deadlines, the console's finish lines, the stop signals. */
function vmRun(plan: BootPlan, o: GuestRunOptions, watch: TestWatchdog, onLine: (line: string) => void) {
  return {
    name: plan.token,
    workDir: o.workDir,
    consoleLog: o.consoleLog,
    deadlineMs: plan.totalSec * 1000,
    bootDeadlineMs: plan.bootSec * 1000,
    env: o.env,
    signal: AbortSignal.any([o.signal, watch.signal]),
    started: (line: string) => line.includes(`@@portmatrix:${plan.token} phase=init`),
    // Everything is reported by then (the port's blocks were acknowledged first):
    // QEMU is killed there rather than waiting for the guest's poweroff (not vng's:
    // its QEMU is a grandchild).
    finished: (line: string) => line.includes(`@@portmatrix:${plan.token} phase=done`),
    onLine,
    console: o.console,
  };
}

/** Starts the guest the plan chose (vng, QEMU with an inline initramfs, or from a snapshot) and runs it to its end. */
async function bootGuest(
  cell: Cell,
  plan: BootPlan,
  o: GuestRunOptions,
  common: ReturnType<typeof vmRun>,
): Promise<Pick<GuestRun, 'exit' | 'boot' | 'fallback' | 'error'>> {
  const image = {
    arch: cell.arch,
    busybox: o.busybox,
    capHelper: plan.capHelper,
    cellHelper: plan.cellHelper,
    entries: plan.entries,
    workDir: o.workDir,
    name: plan.token,
  };
  const qemu = plan.qemu;
  if (!qemu) {
    const vng = { ...common, ...image, cell, accel: o.accel, kernelPath: o.kernel.kernelPath, vm: o.vm };
    return { exit: await runVngCell(vng) };
  }
  if (qemu.inline) {
    const spec = qemu.spec;
    const run = (initrd: string) => runVm({ ...common, ...qemuCommand({ ...spec, initrd }), booted: common.started });
    return { exit: await withInlineInitrd(image, run), boot: 'cold' };
  }
  return bootCell({ ...common, spec: qemu.spec, inputs: plan.inputs, snapshot: qemu.snapshot });
}

/** From spawn to the loader's start, and the loader's own run time, when the guest got that far. */
function timings(seen: { start?: number; end?: number }, spawnedAt: number): Pick<GuestRun, 'bootMs' | 'loaderMs'> {
  const bootMs = seen.start !== undefined ? seen.start - spawnedAt : undefined;
  const loaderMs = seen.start !== undefined && seen.end !== undefined ? seen.end - seen.start : undefined;
  return { bootMs, loaderMs };
}

/**
 * What the host does with each console line: the frames parsed, each test's start and
 * end as events (and the watchdog's), live output for the view, the lines after the
 * tests started kept (a crash shows there).
 */
function consoleReader(cell: Cell, plan: BootPlan, o: GuestRunOptions, watch: TestWatchdog) {
  const parser = new FrameParser(plan.token);
  const seen: { start?: number; end?: number } = {};
  const afterStart: string[] = [];
  const live = liveDecoders();
  const emit = (index: number, event: (test: string) => RunEvent) => {
    const name = cell.tests[index]?.name;
    if (name !== undefined) void o.events.emit(event(name));
  };
  const onFrame = (event: FrameEvent) => {
    if (event.type === 'phase' && event.name === 'loader-start') seen.start ??= Date.now();
    if (event.type === 'phase' && event.name === 'loader-end') seen.end ??= Date.now();
    if (event.type === 'test-start') watch.start(event.index), emit(event.index, (test) => ({ type: 'loader', cell, phase: 'start', test }));
    if (event.type === 'test-end') watch.end(), emit(event.index, (test) => ({ type: 'loader', cell, phase: 'end', test }));
    if (event.type === 'live' && plan.live) {
      const index = event.index ?? 0;
      const text = live(index, event.stream).write(event.data);
      if (text) emit(index, (test) => ({ type: 'output', cell, test, stream: event.stream, text }));
    }
    const block = event.type === 'block' ? /^dmesg\.(\d+)$/.exec(event.name) : null;
    if (block) o.onTestReported?.(Number(block[1]), parser.current());
  };
  const onLine = (line: string) => {
    if (seen.start !== undefined && afterStart.length < AFTER_START_LINES) afterStart.push(line);
    for (const event of parser.push(`${line}\n`)) onFrame(event);
  };
  return { parser, seen, afterStart, onLine };
}

/** A UTF-8 decoder per test and stream: a character split across two live frames comes out whole. */
function liveDecoders() {
  const decoders = new Map<string, StringDecoder>();
  return (index: number, stream: string) => {
    const key = `${index}.${stream}`;
    let d = decoders.get(key);
    if (!d) decoders.set(key, (d = new StringDecoder('utf8')));
    return d;
  };
}

type TestWatchdog = ReturnType<typeof testWatchdog>;

/** Stops the guest when a test's end frame is overdue (plan.testDeadlines); the guest's own watchdog missed it. */
function testWatchdog(plan: BootPlan) {
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const w = {
    signal: stop.signal,
    wedged: undefined as number | undefined,
    start(index: number) {
      w.end();
      const sec = plan.testDeadlines?.[index];
      if (sec === undefined) return;
      timer = setTimeout(() => {
        w.wedged = index;
        stop.abort();
      }, sec * 1000);
    },
    end() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
  return w;
}
