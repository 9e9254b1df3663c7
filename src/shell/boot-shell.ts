// Boots one cell's guest for `portmatrix shell` the way `run` boots it (inputs,
// guest userspace, BTF, the boot's snapshot: engine/attempt.ts and boot/plan.ts), with the
// shell's script instead of the tests and the console on the host's terminal.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runGuest } from '../boot/guest-run.js';
import { prepareBoot } from '../boot/plan.js';
import type { Matrix } from '../config/matrix.js';
import type { BootOptions } from '../config/options.js';
import type { Context } from '../context.js';
import type { Cell } from '../core/cell.js';
import { bootInputs, guestParts } from '../engine/attempt.js';
import { matrixInputs, matrixSnapshots } from '../engine/inputs-from-matrix.js';
import { ExitCode, InfraError } from '../errors.js';
import { createRunEvents } from '../events/run-events.js';
import { installReaper } from '../vm/process.js';
import { consoleView } from './console-view.js';

export interface ShellBoot {
  cell: Cell;
  matrix: Matrix;
  options: Pick<BootOptions, 'cacheDir' | 'mirror' | 'accel' | 'snapshot'>;
  /** Run this instead of an interactive shell. */
  command?: string;
  /** Follow the guest's kernel log on the terminal (`--kernel-log`). */
  kernelLog?: boolean;
  /** The host's keys (a terminal in raw mode); none with `command`. */
  input?: NodeJS.ReadableStream;
  /** The terminal's rows and columns, for the guest's tty. */
  size?: { rows: number; columns: number };
  /** Stops the guest: the escape key, or the command's own signal. */
  signal: AbortSignal;
}

/** The shell's (or command's) exit code; QEMU ending before the shell did is infra. */
export async function bootShell(ctx: Context, s: ShellBoot): Promise<number> {
  // Sockets, the console log and BTF scratch: the shell keeps no results.
  const workDir = await mkdtemp(path.join(os.tmpdir(), `portmatrix-${process.pid}-`));
  installReaper();
  try {
    return await inWorkDir(ctx, s, workDir);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function inWorkDir(ctx: Context, s: ShellBoot, workDir: string): Promise<number> {
  const { cell, matrix } = s;
  const events = createRunEvents();
  // Downloads and fallbacks said as run says them; the progress of a boot is the shell's own.
  events.subscribe((e) => {
    if (e.type === 'log' && e.level !== 'info') ctx.stderr.write(`${e.level}: ${e.message}\n`);
  });
  const inputs = matrixInputs(ctx, s.options, matrix, events, workDir);
  const snapshots = matrixSnapshots(ctx, s.options, matrix, inputs);
  const kernel = await inputs.kernel(cell);
  const [accel, parts, qemuVersion] = await Promise.all([inputs.accel(cell, kernel), guestParts(cell, inputs.images), inputs.qemuVersion(cell.arch)]);
  const btf = await inputs.btf?.prepare(cell, kernel);
  const signal = AbortSignal.any([ctx.signal, s.signal]);
  const deps = { inputs, vm: matrix.vm, resultsDir: workDir, workDir, snapshots, env: ctx.env, signal, events };
  const boot = bootInputs(cell, kernel, { accel, parts, btf, qemuVersion }, deps);
  const plan = await prepareBoot({ ...boot, shell: { command: s.command, size: s.size, kernelLog: s.kernelLog } });
  const color = Boolean(s.input) && !ctx.env.NO_COLOR;
  const view = consoleView(plan.token, (text) => ctx.stdout.write(text), { plain: !s.input, color });
  const consoleLog = path.join(workDir, 'console.log');
  const o = { kernel, accel, vm: matrix.vm, busybox: parts.busybox, workDir, consoleLog, env: ctx.env, signal, events };
  const run = await runGuest(cell, plan, { ...o, console: { input: s.input, onData: view.push } });
  const code = view.exitCode();
  if (code !== undefined) return code;
  if (ctx.signal.aborted) return ExitCode.interrupted;
  // The escape key: the user left.
  if (s.signal.aborted) return ExitCode.ok;
  const why = run.error ?? run.exit.spawnError ?? `QEMU ended (code ${run.exit.code}, signal ${run.exit.signal})`;
  throw new InfraError(`${why} before the shell did; the console's last lines:\n${run.exit.consoleTail}`);
}
