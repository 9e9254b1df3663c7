// Whether one guest of a cell ended through the infrastructure: QEMU ended through
// the host (host-fault.ts), or the guest never got to its tests (no boot before the
// deadline, QEMU gone before the tests started). Pure; the tests the guest did get
// to are decided one by one (guest-tests.ts).

import type { GuestReport } from '../guest/frames.js';
import type { VmExit } from '../vm/process.js';
import { consoleText, hostFault } from './host-fault.js';

/** The most telling line of a console that never reached the tests. */
function bootFailureLine(tail: string): string | undefined {
  const lines = consoleText(tail);
  return lines.find((l) => /Kernel panic|not syncing|Unable to mount root|Bad kernel|invalid magic|Could not|Oops/i.test(l)) ?? lines.at(-1);
}

/**
 * Why the guest is an infrastructure failure, or undefined when it is not. `error` is
 * ours or the base /init's (inputs never delivered): infrastructure as well.
 */
export function guestInfra(exit: VmExit, report: GuestReport, o: { error?: string; bootDeadlineSec: number }): string | undefined {
  // A guest that reported everything: a later end of QEMU changes nothing.
  const host = report.done ? undefined : hostFault({ ...exit, spawnError: exit.spawnError ?? o.error });
  if (host) return host;
  if (report.loaderStarted) return undefined;
  const why = exit.bootTimedOut ? `guest did not start /init within ${o.bootDeadlineSec}s` : `QEMU exited (code ${exit.code}) before the loader started`;
  const detail = bootFailureLine(exit.consoleTail) ?? 'the console stayed empty (a corrupt kernel image, or one for another arch?)';
  return `${why}: ${detail}`;
}
