// Go test events → one case per test and subtest, in the order they started.
// A binary that panics, hits -test.timeout or is killed keeps every case it had
// already reported; the ones still running become failures holding the output
// that explains why (the panic or timeout trace the binary printed last).

import { type GoEvent, test2json } from './test2json.js';

export type GoCaseStatus = 'pass' | 'fail' | 'skip';

export interface GoCase {
  /** Full name as `-test.run` matches it: TestNested/skip_me. */
  name: string;
  status: GoCaseStatus;
  /** From the report line; absent when the case never reported. */
  elapsedMs?: number;
  /** What the case logged and printed (framing lines left out). */
  output: string;
  /** The t.Skip/t.Skipf message (the case's last log entry), for skipped cases. */
  skipMessage?: string;
  /** Why a case that never reported counts as failed. */
  unfinished?: string;
}

export interface GoTestOutcome {
  cases: GoCase[];
  /** Output outside every test (TestMain, init, the final PASS/FAIL line). */
  output: string;
  /** The binary never printed its final PASS/FAIL: it panicked, timed out or was killed. */
  truncated: boolean;
  /** A case failed, the stream was truncated, or the exit code was not 0. */
  failed: boolean;
}

export interface GoTestEnd {
  /** Exit code of the binary; undefined when it was killed. */
  exitCode?: number;
  /** portmatrix killed it at the test's timeout. */
  timedOut?: boolean;
  /**
   * What the binary wrote to stderr, when the guest kept it apart from stdout: Go
   * writes panic and timeout traces there. Interleaved output (2>&1) needs none.
   */
  stderr?: string;
}

/** A Go log line: four spaces a level, `file.go:NN: `, then the message. */
const LOG_LINE = /^\s*[^\s:]+\.go:\d+: ?(.*)$/;

/** The last log entry of a case, with its continuation lines (t.Skip logs its args). */
export function lastLogEntry(output: string): string | undefined {
  const lines = output.replace(/\n$/, '').split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = LOG_LINE.exec(lines[i]!);
    if (!m) continue;
    const rest = lines.slice(i + 1).map((l) => l.trim());
    return [m[1]!, ...rest].join('\n').trim() || undefined;
  }
  return output.trim() || undefined;
}

function unfinishedReason(tail: string, end: GoTestEnd): string {
  if (end.timedOut) return 'the test timed out before this case reported';
  if (/^panic: test timed out after /m.test(tail)) return 'go test -test.timeout expired while this case ran';
  if (/^panic: /m.test(tail)) return 'the binary panicked while this case ran';
  if (/^fatal error: /m.test(tail)) return 'the Go runtime died (fatal error) while this case ran';
  return `the binary exited${end.exitCode !== undefined ? ` (code ${end.exitCode})` : ''} before this case reported`;
}

export function goTestCases(events: readonly GoEvent[], finalResult: 'pass' | 'fail' | undefined, end: GoTestEnd): GoTestOutcome {
  const cases = new Map<string, GoCase & { done: boolean }>();
  let output = '';
  let tail = ''; // output since the last framing event: what a crash printed
  for (const e of events) {
    if (e.action === 'output') {
      const c = e.test !== undefined ? cases.get(e.test) : undefined;
      if (c) c.output += e.output;
      else output += e.output;
      tail += e.output;
      continue;
    }
    tail = '';
    if (!e.test) continue;
    if (e.action === 'run' && !cases.has(e.test)) cases.set(e.test, { name: e.test, status: 'pass', output: '', done: false });
    if (e.action !== 'pass' && e.action !== 'fail' && e.action !== 'skip') continue;
    const c = cases.get(e.test) ?? { name: e.test, status: e.action, output: '', done: false };
    cases.set(e.test, Object.assign(c, { status: e.action, elapsedMs: e.elapsedMs ?? c.elapsedMs, done: true }));
  }
  const truncated = finalResult === undefined;
  if (end.stderr) {
    tail += end.stderr;
    output += end.stderr;
  }
  const all = [...cases.values()];
  const running = all.filter((c) => !c.done);
  for (const c of running) {
    c.status = 'fail';
    c.unfinished = unfinishedReason(tail, end);
    // The innermost running cases get the trace unless the converter already gave it to them.
    const leaf = !running.some((o) => o.name.startsWith(`${c.name}/`));
    if (leaf && tail && !c.output.endsWith(tail)) c.output += tail;
  }
  const result = all.map(({ done: _done, ...c }) => (c.status === 'skip' ? { ...c, skipMessage: lastLogEntry(c.output) } : c));
  const failed = truncated || (end.exitCode ?? 1) !== 0 || result.some((c) => c.status === 'fail');
  return { cases: result, output, truncated, failed };
}

/** Convenience for a whole captured stream. */
export function parseGoTest(text: string, end: GoTestEnd): GoTestOutcome {
  const { events, finalResult } = test2json(text);
  return goTestCases(events, finalResult, end);
}
