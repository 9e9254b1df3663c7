// Runs one prepared VM to its end and reads the guest's framed report back from
// the console: the loader's start and end become events (and timings) as they
// happen; the whole console lands in the cell's console log.

import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Cell } from '../core/cell.js';
import { FrameParser, type GuestReport } from '../guest/frames.js';
import { runVm, type VmExit } from '../vm/process.js';
import type { BootPlan } from './boot.js';
import type { RunEvents } from '../events/run-events.js';

export interface GuestRun {
  exit: VmExit;
  report: GuestReport;
  /** From spawn to the loader's start, and the loader's own run time (ms). */
  bootMs?: number;
  loaderMs?: number;
  /** Console lines after the loader started (at most AFTER_START_LINES): a kernel crash's first lines. */
  consoleAfterStart: string;
}

const AFTER_START_LINES = 400;

export interface GuestRunOptions {
  consoleLog: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  events: Pick<RunEvents, 'emit'>;
}

export async function runGuest(cell: Cell, plan: BootPlan, o: GuestRunOptions): Promise<GuestRun> {
  await mkdir(path.dirname(o.consoleLog), { recursive: true });
  const parser = new FrameParser(plan.token);
  const spawnedAt = Date.now();
  const seen: { start?: number; end?: number } = {};
  const phase = (name: 'start' | 'end') => {
    if (seen[name] !== undefined) return;
    seen[name] = Date.now();
    void o.events.emit({ type: 'loader', cell, phase: name });
  };
  const afterStart: string[] = [];
  const exit = await runVm({
    binary: plan.binary,
    args: plan.args,
    consoleLog: o.consoleLog,
    deadlineMs: plan.totalSec * 1000,
    bootDeadlineMs: plan.bootSec * 1000,
    env: o.env,
    signal: o.signal,
    booted: (line) => line.includes(`@@portmatrix:${plan.token} phase=init`),
    onLine: (line) => {
      if (seen.start !== undefined && afterStart.length < AFTER_START_LINES) afterStart.push(line);
      for (const event of parser.push(`${line}\n`)) {
        if (event.type === 'phase' && event.name === 'loader-start') phase('start');
        if (event.type === 'phase' && event.name === 'loader-end') phase('end');
      }
    },
  }).finally(() => rm(plan.initrd, { force: true }));
  const bootMs = seen.start !== undefined ? seen.start - spawnedAt : undefined;
  const loaderMs = seen.start !== undefined && seen.end !== undefined ? seen.end - seen.start : undefined;
  return { exit, report: parser.end(), bootMs, loaderMs, consoleAfterStart: afterStart.join('\n') };
}
