// Owns one QEMU process: spawn (argv, no shell), console → log file + line
// callback, boot and total deadlines, SIGTERM → SIGKILL stop, abort signal.
// Every wait has a deadline and every exit path leaves no process behind.

import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { packageForBinary } from './profiles.js';

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
  /** SIGTERM → SIGKILL grace; default 2000 ms. */
  killGraceMs?: number;
  /** Lines kept for consoleTail; default 60. */
  tailLines?: number;
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

export function runVm(r: VmRun): Promise<VmExit> {
  const started = Date.now();
  const tailMax = r.tailLines ?? 60;
  const grace = r.killGraceMs ?? 2000;
  const tail: string[] = [];
  let bootMs: number | undefined;
  let timedOut = false;
  let bootTimedOut = false;
  let aborted = false;
  let spawnError: string | undefined;

  const log = createWriteStream(r.consoleLog);
  const logClosed = new Promise<void>((resolve) => {
    log.on('close', resolve);
    log.on('error', () => resolve());
  });

  // One splitter per stream: stdout and stderr must not glue each other's partial lines.
  const splitter = () => {
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
  };
  const line = (l: string): void => {
    tail.push(l);
    if (tail.length > tailMax) tail.shift();
    r.onLine?.(l);
    if (bootMs === undefined && r.booted?.(l)) {
      bootMs = Date.now() - started;
      clearTimeout(bootTimer);
    }
  };

  let child: ChildProcess;
  try {
    child = spawn(r.binary, r.args, { env: r.env, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    log.end();
    return logClosed.then(() => ({ ...exitOf(null, null), spawnError: String(err) }));
  }
  live.add(child);

  let killTimer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    if (killTimer || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), grace);
  };
  const totalTimer = setTimeout(() => {
    timedOut = true;
    stop();
  }, r.deadlineMs);
  const bootTimer = setTimeout(() => {
    if (bootMs !== undefined || !r.booted) return;
    bootTimedOut = true;
    stop();
  }, r.bootDeadlineMs);
  const onAbort = (): void => {
    aborted = true;
    stop();
  };
  if (r.signal?.aborted) onAbort();
  else r.signal?.addEventListener('abort', onAbort, { once: true });

  const splitters = [child.stdout!, child.stderr!].map((stream) => {
    const s = splitter();
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      log.write(chunk);
      s.push(chunk);
    });
    return s;
  });

  function exitOf(code: number | null, signal: string | null): VmExit {
    return {
      code,
      signal,
      timedOut,
      bootTimedOut,
      aborted,
      consoleTail: tail.join('\n'),
      durationMs: Date.now() - started,
      bootMs,
      spawnError,
    };
  }

  return new Promise<VmExit>((resolve) => {
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        const pkg = packageForBinary(r.binary);
        spawnError = `${r.binary} not found${pkg ? `; install it with: sudo apt-get install ${pkg}` : ''}`;
      } else spawnError = `${r.binary}: ${err.message}`;
    });
    // 'close' comes after the process exited and its pipes drained (or after a spawn error).
    child.on('close', (code, signal) => {
      live.delete(child);
      clearTimeout(totalTimer);
      clearTimeout(bootTimer);
      clearTimeout(killTimer);
      r.signal?.removeEventListener('abort', onAbort);
      for (const s of splitters) s.flush();
      log.end();
      void logClosed.then(() => resolve(exitOf(code, signal)));
    });
  });
}
