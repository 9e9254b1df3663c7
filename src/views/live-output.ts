// run --verbose: each test's guest output as the guest streams it (`output` events),
// one printed line per line of output, so a test that hangs shows what it printed
// before its timeout. Lines are made plain (no escapes or control bytes) and, in
// GitHub Actions, fenced so the runner takes no workflow command from them.
//
//   │ amd64/debian-trixie/default › smoke: attached to sys_enter_execve
//   │ amd64/debian-trixie/default › smoke (stderr): libbpf: map 'events': created
//
// A line still open when its test ends is printed then. A test that streamed nothing
// has its output printed at its end, from its result; a test the cell's result reports
// without a test event of its own ends with the cell.

import { plainText } from '../core/plain-text.js';
import type { RunEvent } from '../events/run-events.js';
import { fenceGuestOutput } from '../github/log.js';
import type { TestResult } from '../results/model.js';

export interface LiveOutput {
  /** The text to print for an event (no trailing newline), or undefined. */
  take(event: RunEvent): string | undefined;
}

/** A text's lines, without the empty one after its last newline. */
const linesOf = (text: string) => (text ? text.replace(/\n$/, '').split('\n') : []);
const lineOf = (label: string, line: string) => `  │ ${label}: ${plainText(line.replace(/\r$/, ''))}`;
const labelOf = (cellId: string, test: string, stream: 'stdout' | 'stderr') => `${cellId} › ${test}${stream === 'stderr' ? ' (stderr)' : ''}`;

export function createLiveOutput(o: { github: boolean }): LiveOutput {
  /** Per test and stream: the line not ended yet. */
  const open = new Map<string, { label: string; rest: string }>();
  /** Tests (`cell\0test`) that streamed anything, and those whose end was printed. */
  const streamed = new Set<string>();
  const ended = new Set<string>();
  const render = (lines: string[]) => {
    if (lines.length === 0) return undefined;
    const text = lines.join('\n');
    return o.github ? fenceGuestOutput(text).replace(/\n$/, '') : text;
  };

  /** The end of a test: its open lines, or all of its output when none came while it ran. */
  const end = (cellId: string, test: TestResult): string[] => {
    const key = `${cellId}\0${test.name}`;
    ended.add(key);
    if (!streamed.has(key)) {
      return [
        ...linesOf(test.stdout).map((l) => lineOf(labelOf(cellId, test.name, 'stdout'), l)),
        ...linesOf(test.stderr).map((l) => lineOf(labelOf(cellId, test.name, 'stderr'), l)),
      ];
    }
    const lines: string[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const s = open.get(`${key}\0${stream}`);
      if (s?.rest) lines.push(lineOf(s.label, s.rest));
      open.delete(`${key}\0${stream}`);
    }
    return lines;
  };

  return {
    take(event) {
      if (event.type === 'test') return render(end(event.cell.id, event.test));
      if (event.type === 'result') {
        const { cell, result } = event;
        const tests = result.tests;
        // Results kept from an earlier run (--resume, --reuse) ran before: nothing of theirs to show.
        const lines = event.resumed || result.reused ? [] : tests.filter((t) => !ended.has(`${cell.id}\0${t.name}`)).flatMap((t) => end(cell.id, t));
        for (const t of tests) streamed.delete(`${cell.id}\0${t.name}`), ended.delete(`${cell.id}\0${t.name}`);
        return render(lines);
      }
      if (event.type !== 'output') return undefined;
      const key = `${event.cell.id}\0${event.test}`;
      streamed.add(key);
      const s = open.get(`${key}\0${event.stream}`) ?? {
        label: labelOf(event.cell.id, event.test, event.stream),
        rest: '',
      };
      open.set(`${key}\0${event.stream}`, s);
      const parts = (s.rest + event.text).split('\n');
      s.rest = parts.pop()!;
      return render(parts.map((l) => lineOf(s.label, l)));
    },
  };
}
