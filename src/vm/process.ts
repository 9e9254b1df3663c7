// Owns one QEMU process: spawn (argv, no shell), console → log file + line
// callback, boot and total deadlines, SIGTERM → SIGKILL stop, abort signal.
// Every wait has a deadline and every exit path leaves no process behind.

import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { closeSync, createWriteStream, openSync } from 'node:fs';
import path from 'node:path';
import { which } from '../host/which.js';
import { INCOMING_FD, packageForBinary } from './profiles.js';

export interface VmRun {
  binary: string;
  args: string[];
  /** File that receives the raw console (QEMU stdout + stderr). */
  consoleLog: string;
  /** Total wall-clock budget, from spawn. */
  deadlineMs: number;
  /** Budget until `booted` first returns true. */
  bootDeadlineMs: number;
  /** The environment QEMU (or vng) runs with: the command's, never the process's. */
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Every console line, without its newline (and without \r). */
  onLine?: (line: string) => void;
  /** True on the first line that proves the guest userspace is up. */
  booted?: (line: string) => boolean;
  /**
   * True on the guest's last line, once it has reported everything: QEMU is killed
   * there instead of waiting for the guest to power off (30-110 ms under TCG).
   */
  finished?: (line: string) => boolean;
  /** SIGTERM → SIGKILL grace; default 2000 ms. */
  killGraceMs?: number;
  /** Lines kept for consoleTail; default 60. */
  tailLines?: number;
  /** A saved VM state QEMU reads as its fd INCOMING_FD (profiles.ts `-incoming fd:3`). */
  incomingFile?: string;
  /** `portmatrix shell`: the host's keys to the guest's console and its raw output back. */
  console?: VmConsole;
}

/** An interactive console on QEMU's `-serial stdio`. */
export interface VmConsole {
  /** Piped to QEMU's stdin (the guest's serial input); none: QEMU's stdin is /dev/null. */
  input?: NodeJS.ReadableStream;
  /** Every console chunk as it comes, prompts included (lines wait for their newline). */
  onData?: (chunk: string) => void;
}

export interface VmExit {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  bootTimedOut: boolean;
  aborted: boolean;
  /** Last ~60 console lines. */
  consoleTail: string;
  durationMs: number;
  /** Spawn → first `booted` line. */
  bootMs?: number;
  /** portmatrix killed QEMU at the guest's `finished` line (so `signal` is ours, not a fault). */
  stoppedAtEnd?: boolean;
  spawnError?: string;
}

// The one piece of process-wide state: QEMU children must die with portmatrix
// even when it exits through a path that never returns to their owner
// (Ctrl-C, uncaught exception, process.exit in a reporter).
const live = new Set<ChildProcess>();
let reaperInstalled = false;

function killAll(sig: NodeJS.Signals): void {
  for (const child of live) {
    try {
      child.kill(sig);
    } catch {
      // already gone
    }
  }
}

/** Kill live QEMU children on exit, SIGINT, SIGTERM and uncaught exceptions. Idempotent. */
export function installReaper(): void {
  if (reaperInstalled) return;
  reaperInstalled = true;
  process.on('exit', () => killAll('SIGKILL'));
  // The monitor variant observes without changing Node's crash behaviour.
  process.on('uncaughtExceptionMonitor', () => killAll('SIGKILL'));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      killAll('SIGKILL');
      // Installing a listener disables Node's default exit; restore it unless
      // someone else (the run command's graceful interrupt) handles the signal.
      if (process.listenerCount(sig) === 1) process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

/** How many QEMU processes this module currently owns (for tests and diagnostics). */
export function liveVmCount(): number {
  return live.size;
}

/** Splits one stream's text into lines (stdout and stderr each get their own). */
function lineSplitter(line: (l: string) => void) {
  let partial = '';
  return {
    push(text: string): void {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) line(l.replace(/\r$/, ''));
      // A runaway line without newline must not grow without bound.
      if (partial.length > 64 * 1024) {
        line(partial);
        partial = '';
      }
    },
    flush(): void {
      if (partial) line(partial.replace(/\r$/, ''));
      partial = '';
    },
  };
}

/** The console as lines: each passed to onLine, the last few kept, the first `booted` one timed. */
function consoleLines(r: VmRun, started: number, onBooted: () => void, onFinished: () => void) {
  const tail: string[] = [];
  const state = { bootMs: undefined as number | undefined };
  const line = (l: string): void => {
    tail.push(l);
    if (tail.length > (r.tailLines ?? 60)) tail.shift();
    r.onLine?.(l);
    if (state.bootMs === undefined && r.booted?.(l)) {
      state.bootMs = Date.now() - started;
      onBooted();
    }
    if (r.finished?.(l)) onFinished();
  };
  return { line, state, tail: () => tail.join('\n') };
}

/** The deadlines and the abort signal: each stops the VM (SIGTERM, then SIGKILL after the grace). */
function watchdog(child: ChildProcess, r: VmRun) {
  const state = { timedOut: false, bootTimedOut: false, aborted: false, stoppedAtEnd: false };
  let killTimer: NodeJS.Timeout | undefined;
  let booted = false;
  const stop = (): void => {
    if (killTimer || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), r.killGraceMs ?? 2000);
  };
  const totalTimer = setTimeout(() => ((state.timedOut = true), stop()), r.deadlineMs);
  const bootTimer = setTimeout(() => {
    if (booted || !r.booted) return;
    state.bootTimedOut = true;
    stop();
  }, r.bootDeadlineMs);
  const onAbort = (): void => ((state.aborted = true), stop());
  if (r.signal?.aborted) onAbort();
  else r.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    state,
    booted(): void {
      booted = true;
      clearTimeout(bootTimer);
    },
    /** The guest said its last line: nothing more can come that counts. */
    finished(): void {
      if (state.stoppedAtEnd || child.exitCode !== null || child.signalCode !== null) return;
      state.stoppedAtEnd = true;
      child.kill('SIGKILL');
    },
    clear(): void {
      for (const t of [totalTimer, bootTimer, killTimer]) clearTimeout(t);
      r.signal?.removeEventListener('abort', onAbort);
    },
  };
}

function spawnErrorText(binary: string, err: NodeJS.ErrnoException): string {
  if (err.code !== 'ENOENT') return `${binary}: ${err.message}`;
  const pkg = packageForBinary(binary);
  return `${binary} not found${pkg ? `; install it with: sudo apt-get install ${pkg}` : ''}`;
}

function openLog(file: string) {
  const stream = createWriteStream(file);
  const closed = new Promise<void>((resolve) => {
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
  return { stream, close: () => (stream.end(), closed) };
}

/**
 * The argv that has the kernel SIGKILL the VM when portmatrix dies: a SIGKILLed
 * portmatrix runs no exit handler, and QEMU does not notice its pipes closing.
 * `setpriv --pdeathsig` (util-linux) sets PR_SET_PDEATHSIG, then execs the binary.
 * An unresolvable binary is spawned as is, so its missing-package error stays.
 */
function dieWithParent(binary: string, args: string[], env: NodeJS.ProcessEnv): { file: string; args: string[] } {
  const setpriv = which('setpriv', env);
  const resolved = path.isAbsolute(binary) ? which(path.basename(binary), { PATH: path.dirname(binary) }) : which(binary, env);
  if (!setpriv || !resolved) return { file: binary, args };
  return { file: setpriv, args: ['--pdeathsig', 'KILL', '--', resolved, ...args] };
}

/** Starts QEMU (dying with this process), its stdout and stderr piped; throws when it cannot. */
function spawnQemu(r: VmRun): ChildProcess {
  const argv = dieWithParent(r.binary, r.args, r.env);
  const incoming = r.incomingFile === undefined ? undefined : openSync(r.incomingFile, 'r');
  try {
    // The state file as QEMU's INCOMING_FD, for QEMU alone (setpriv passes it on).
    const stdio: StdioOptions = [r.console?.input ? 'pipe' : 'ignore', 'pipe', 'pipe'];
    if (incoming !== undefined) stdio[INCOMING_FD] = incoming;
    return spawn(argv.file, argv.args, { env: r.env, stdio });
  } finally {
    if (incoming !== undefined) closeSync(incoming);
  }
}

export function runVm(r: VmRun): Promise<VmExit> {
  const started = Date.now();
  const log = openLog(r.consoleLog);
  let child: ChildProcess;
  try {
    child = spawnQemu(r);
  } catch (err) {
    return log.close().then(() => notRun(started, String(err)));
  }
  live.add(child);
  if (r.console?.input) pipeInput(r.console.input, child);
  const dog = watchdog(child, r);
  const lines = consoleLines(
    r,
    started,
    () => dog.booted(),
    () => dog.finished(),
  );
  const splitters = readConsole(child, r, log.stream, lines.line);
  return untilClosed(child, r, (code, signal, spawnError) => {
    dog.clear();
    for (const split of splitters) split.flush();
    const consoleTail = lines.tail();
    const exit = { code, signal, ...dog.state, consoleTail };
    const { bootMs } = lines.state;
    return log.close().then(() => ({ ...exit, durationMs: Date.now() - started, bootMs, spawnError }));
  });
}

/** The exit of a VM that could not be spawned. */
function notRun(started: number, spawnError: string): VmExit {
  const none = { code: null, signal: null, timedOut: false, bootTimedOut: false, aborted: false, consoleTail: '' };
  return { ...none, durationMs: Date.now() - started, spawnError };
}

/** QEMU's stdout and stderr, each to the log, the interactive console and a line splitter of its own. */
function readConsole(child: ChildProcess, r: VmRun, log: NodeJS.WritableStream, line: (l: string) => void) {
  return [child.stdout!, child.stderr!].map((stream) => {
    const split = lineSplitter(line);
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      log.write(chunk);
      r.console?.onData?.(chunk);
      split.push(chunk);
    });
    return split;
  });
}

/** Waits for the child's end and makes its exit with `end`, once it is no longer live. */
function untilClosed(
  child: ChildProcess,
  r: VmRun,
  end: (code: number | null, signal: NodeJS.Signals | null, spawnError: string | undefined) => Promise<VmExit>,
): Promise<VmExit> {
  let spawnError: string | undefined;
  return new Promise<VmExit>((resolve) => {
    child.on('error', (err: NodeJS.ErrnoException) => (spawnError = spawnErrorText(r.binary, err)));
    // 'close' comes after the process exited and its pipes drained (or after a spawn error).
    child.on('close', (code, signal) => {
      live.delete(child);
      void end(code, signal, spawnError).then(resolve);
    });
  });
}

/** The keys to QEMU until it exits; the host's stream stays open (it is the terminal's). */
function pipeInput(input: NodeJS.ReadableStream, child: ChildProcess): void {
  const write = (chunk: Buffer | string) => void child.stdin?.write(chunk);
  child.stdin?.on('error', () => {}); // QEMU gone: its exit is reported, not the write
  input.on('data', write);
  child.on('close', () => input.removeListener('data', write));
}
