// What the guest reported about a cell and each of its tests, as the frame parser
// (frames.ts) assembles it from the console and the inputs port.

import type { GuestFacts, OutputCut } from '../results/model.js';
import type { GuestProgram } from './prog-frame.js';

export interface GuestReport {
  /** Phase name → guest uptime in seconds when it was printed. */
  phases: Record<string, number>;
  loaderStarted: boolean;
  done: boolean;
  exitCode?: number;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  dmesg: string;
  facts: GuestFacts;
  sysctlErrors: string[];
  /** Capabilities requested but not applied (not supported yet). */
  unsupported?: string[];
  /** Blocks that never ended, lost lines, or were capped in the guest (only the tail sent): output is partial. */
  truncated?: string[];
  /** How much of each truncated stream the report holds, and how much there was when the guest said (`end= … total=`). */
  outputCut?: Record<string, Omit<OutputCut, 'stream'>>;
  /** Per-test reports of a cell that runs several tests, by index in the cell's tests. */
  tests: GuestTest[];
}

/** What the guest framed about one test: `test-start=<i> t=…`, `test-end=<i> exit=<code> timedout=<0|1> t=…`, blocks `stdout.<i>`, `stderr.<i>`, `dmesg.<i>`. */
export interface GuestTest {
  started: boolean;
  ended: boolean;
  exitCode?: number;
  timedOut: boolean;
  /** Guest uptime (s) at its start and end: the bounds of its kernel-log segment. */
  startT?: number;
  endT?: number;
  stdout: string;
  stderr: string;
  /**
   * The kernel lines logged while the test ran: the guest reads (and clears) the log
   * right before the test starts and right after it ends. Absent when no block came.
   */
  dmesg?: string;
  /** The BPF programs it loaded, as the guest polled them (`prog=<i>` frames, prog-frame.ts); absent: none seen. */
  programs?: GuestProgram[];
}
