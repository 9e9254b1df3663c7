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

/** What the view remembers between events. */
interface LiveState {
  /** Per test and stream: the line not ended yet. */
  open: Map<string, { label: string; rest: string }>;
  /** Tests (`cell\0test`) that streamed anything, and those whose end was printed. */
  streamed: Set<string>;
  ended: Set<string>;
}

type OutputEvent = Extract<RunEvent, { type: 'output' }>;
type ResultEvent = Extract<RunEvent, { type: 'result' }>;

export function createLiveOutput(o: { github: boolean }): LiveOutput {
  const state: LiveState = { open: new Map(), streamed: new Set(), ended: new Set() };
  const render = (lines: string[]) => {
    if (lines.length === 0) return undefined;
    const text = lines.join('\n');
    return o.github ? fenceGuestOutput(text).replace(/\n$/, '') : text;
  };
  return {
    take(event) {
      if (event.type === 'test') return render(testEnd(state, event.cell.id, event.test));
      if (event.type === 'result') return render(cellEnd(state, event));
      if (event.type === 'output') return render(outputLines(state, event));
      return undefined;
    },
  };
}

/** A streamed chunk: the lines it completes (the rest stays open). */
function outputLines(state: LiveState, event: OutputEvent): string[] {
  const key = `${event.cell.id}\0${event.test}`;
  state.streamed.add(key);
  const s = state.open.get(`${key}\0${event.stream}`) ?? {
    label: labelOf(event.cell.id, event.test, event.stream),
    rest: '',
  };
  state.open.set(`${key}\0${event.stream}`, s);
  const parts = (s.rest + event.text).split('\n');
  s.rest = parts.pop()!;
  return parts.map((l) => lineOf(s.label, l));
}

/** The end of a test: its open lines, or all of its output when none came while it ran. */
function testEnd(state: LiveState, cellId: string, test: TestResult): string[] {
  const key = `${cellId}\0${test.name}`;
  state.ended.add(key);
  if (!state.streamed.has(key)) {
    return [
      ...linesOf(test.stdout).map((l) => lineOf(labelOf(cellId, test.name, 'stdout'), l)),
      ...linesOf(test.stderr).map((l) => lineOf(labelOf(cellId, test.name, 'stderr'), l)),
    ];
  }
  const lines: string[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const s = state.open.get(`${key}\0${stream}`);
    if (s?.rest) lines.push(lineOf(s.label, s.rest));
    state.open.delete(`${key}\0${stream}`);
  }
  return lines;
}

/** The end of a cell: the end of each test that had none of its own; the cell's tests are forgotten. */
function cellEnd(state: LiveState, event: ResultEvent): string[] {
  const { cell, result } = event;
  const tests = result.tests;
  // Results kept from an earlier run (--resume, --reuse) ran before: nothing of theirs to show.
  const kept = event.resumed || result.reused;
  const unended = tests.filter((t) => !state.ended.has(`${cell.id}\0${t.name}`));
  const lines = kept ? [] : unended.flatMap((t) => testEnd(state, cell.id, t));
  for (const t of tests) state.streamed.delete(`${cell.id}\0${t.name}`), state.ended.delete(`${cell.id}\0${t.name}`);
  return lines;
}
