// run --verbose: each test's guest output as the guest streams it (`output` events),
// one printed line per line of output, so a test that hangs shows what it printed
// before its timeout. Lines are made plain (no escapes or control bytes) and, in
// GitHub Actions, fenced so the runner takes no workflow command from them.
//
//   │ amd64/debian-trixie/default › smoke: attached to sys_enter_execve
//   │ amd64/debian-trixie/default › smoke (stderr): libbpf: map 'events': created
//
// A line still open when its test ends is printed then (`finish`).

import { plainText } from '../core/plain-text.js';
import { fenceGuestOutput } from '../github/log.js';
import type { RunEvent } from '../events/run-events.js';

export interface LiveOutput {
  /** The text to print for an event (no trailing newline), or undefined. */
  take(event: RunEvent): string | undefined;
}

export function createLiveOutput(o: { github: boolean }): LiveOutput {
  const open = new Map<string, { label: string; rest: string }>();
  const render = (lines: string[]) => {
    const text = lines.join('\n');
    return o.github ? fenceGuestOutput(text).replace(/\n$/, '') : text;
  };
  const lineOf = (label: string, line: string) => `  │ ${label}: ${plainText(line)}`;
  /** What is left open of the streams of a cell (a test, when given), printed and forgotten. */
  const finish = (cellId: string, test?: string) => {
    const lines: string[] = [];
    for (const [key, s] of open) {
      const [id, name] = key.split('\0');
      if (id !== cellId || (test !== undefined && name !== test)) continue;
      if (s.rest) lines.push(lineOf(s.label, s.rest));
      open.delete(key);
    }
    return lines.length ? render(lines) : undefined;
  };
  return {
    take(event) {
      if (event.type === 'test') return finish(event.cell.id, event.test.name);
      if (event.type === 'result') return finish(event.cell.id);
      if (event.type !== 'output') return undefined;
      const key = `${event.cell.id}\0${event.test}\0${event.stream}`;
      const s = open.get(key) ?? { label: `${event.cell.id} › ${event.test}${event.stream === 'stderr' ? ' (stderr)' : ''}`, rest: '' };
      open.set(key, s);
      const parts = (s.rest + event.text).split('\n');
      s.rest = parts.pop()!;
      return parts.length ? render(parts.map((l) => lineOf(s.label, l.replace(/\r$/, '')))) : undefined;
    },
  };
}
