// Whether a VM ended through the host's fault rather than the test's. A QEMU killed
// from outside (the OOM killer, a runner hiccup) or one that failed on the host says
// nothing about the kernel or the program: it is `infra`, and the scheduler retries
// it. A guest that panicked, by contrast, ends QEMU normally (panic=-1 and
// -no-reboot make QEMU exit 0): that is the test's failure, decided elsewhere.

import { isFrameLine } from './kernel-log.js';

export interface VmEnd {
  /** QEMU's exit code; null when a signal ended it. */
  code: number | null;
  /** The signal that ended QEMU, e.g. SIGKILL. */
  signal: string | null;
  /** portmatrix itself stopped QEMU (deadline or interrupt): its signal is ours. */
  timedOut: boolean;
  aborted: boolean;
  spawnError?: string;
  consoleTail: string;
}

/** QEMU's own complaints on stderr, e.g. "qemu-system-x86_64: cannot set up guest memory". */
const QEMU_ERROR = /^qemu(-system-\w+)?: (?!terminating on signal)/;

/** The host-side reason QEMU ended, or undefined when the host did nothing wrong. */
export function hostFault(end: VmEnd): string | undefined {
  if (end.spawnError) return end.spawnError;
  const ours = end.timedOut || end.aborted;
  if (end.signal && !ours) {
    return `QEMU was killed by ${end.signal} from outside portmatrix (out of memory, or the runner stopped it)`;
  }
  if (end.code !== null && end.code !== 0 && !ours) {
    const line = end.consoleTail
      .split('\n')
      .map((l) => l.trim())
      .find((l) => QEMU_ERROR.test(l));
    if (line) return `QEMU failed on the host (code ${end.code}): ${line}`;
  }
  // "terminating on signal 15 from pid N" is QEMU saying someone else sent SIGTERM.
  const term = /^qemu(?:-system-\w+)?: terminating on signal (\d+)(?: from pid (\d+))?/m.exec(end.consoleTail);
  if (term && !ours) return `QEMU was stopped by signal ${term[1]}${term[2] ? ` from pid ${term[2]}` : ''} outside portmatrix`;
  return undefined;
}

/** The lines of a console that are not our own protocol. */
export function consoleText(tail: string): string[] {
  return tail
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !isFrameLine(l));
}
