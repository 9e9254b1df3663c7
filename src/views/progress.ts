// Watches the event stream and tells a human what is happening: a live block of
// running cells on a terminal, one plain line per event elsewhere (CI logs).

import type { Cell } from '../core/cell.js';
import { plainText } from '../core/plain-text.js';
import type { RunEvent, RunListener } from '../events/run-events.js';
import type { CellResult, TestResult } from '../results/model.js';
import { createLiveOutput } from './live-output.js';

const MARK: Record<CellResult['status'], string> = {
  pass: 'pass ',
  fail: 'FAIL ',
  xfail: 'xfail',
  xpass: 'XPASS',
  infra: 'INFRA',
  skip: 'skip ',
  flaky: 'FLAKY',
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export function resultLine(result: CellResult, done: number, total: number): string {
  const reason = result.reason ? `  ${plainText(result.reason).slice(0, 160)}` : '';
  const accel = result.reused ? ' reused' : result.accel ? ` ${result.accel}` : '';
  return `[${String(done).padStart(String(total).length)}/${total}] ${MARK[result.status]} ${result.id}  ${seconds(result.timings.totalMs)}${accel}${reason}`;
}

/** A finished test of a cell, printed as it finishes: `  pass  amd64/debian-trixie/default › smoke  1.2s`. */
export function testLine(cell: Cell, test: TestResult): string {
  const reason = test.reason ? `  ${plainText(test.reason).slice(0, 160)}` : '';
  return `  ${MARK[test.status]} ${cell.id} › ${test.name}${test.timings.ms === undefined ? '' : `  ${seconds(test.timings.ms)}`}${reason}`;
}

export interface Progress {
  listener: RunListener;
  /** Clears the live block; call before printing the final table. */
  close(): void;
}

type Out = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
interface Running {
  cell: Cell;
  since: number;
  phase: string;
}

/** The block of running cells at the bottom of a terminal; lines printed above it. */
function liveBlock(out: Out, live: boolean) {
  const running = new Map<string, Running>();
  const counts = { total: 0, done: 0 };
  let drawn = 0;
  const clear = () => {
    if (drawn > 0) out.write(`\x1b[${drawn}A\x1b[0J`);
    drawn = 0;
  };
  const draw = () => {
    if (!live) return;
    clear();
    const width = Math.max(40, (out.columns ?? 100) - 1);
    const lines = [...running.values()].map((r) => `  ${r.phase.padEnd(6)} ${r.cell.id}  ${seconds(Date.now() - r.since)}`.slice(0, width));
    lines.push(`  ${counts.done}/${counts.total} done, ${running.size} running`);
    out.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const print = (line: string) => {
    clear();
    out.write(`${line}\n`);
    draw();
  };
  return { running, counts, clear, draw, print };
}

/** The plain line an event prints, if any (results are counted, so they print apart). */
function eventLine(event: RunEvent, live: boolean): string | undefined {
  switch (event.type) {
    case 'accel':
      return `acceleration for ${event.arch}: ${event.accel} (${event.why})`;
    case 'boot':
      return live ? undefined : `start  ${event.cell.id} (${event.accel}${event.attempt > 1 ? `, attempt ${event.attempt}` : ''})`;
    case 'test':
      return testLine(event.cell, event.test);
    case 'retry':
      return `retry  ${event.cell.id} (attempt ${event.attempt}): ${plainText(event.why).slice(0, 160)}`;
    case 'log':
      return event.level === 'warn' ? `warning: ${event.message}` : event.message;
    default:
      return undefined;
  }
}

/** `verbose`: the tests' guest output too, as it comes (live-output.ts); `github`: fenced for Actions. */
export function createProgress(out: Out, live: boolean, o: { verbose?: boolean; github?: boolean } = {}): Progress {
  const block = liveBlock(out, live);
  const output = o.verbose ? createLiveOutput({ github: Boolean(o.github) }) : undefined;
  let timer: NodeJS.Timeout | undefined;
  const listener = (event: RunEvent) => {
    const streamed = output?.take(event);
    if (streamed !== undefined) block.print(streamed);
    if (event.type === 'queued') {
      block.counts.total++;
      if (live && !timer) timer = setInterval(block.draw, 500).unref();
    } else if (event.type === 'boot') {
      block.running.set(event.cell.id, { cell: event.cell, since: Date.now(), phase: 'boot' });
    } else if (event.type === 'loader') {
      const r = block.running.get(event.cell.id);
      if (r) r.phase = event.phase === 'start' ? 'loader' : 'report';
    } else if (event.type === 'result') {
      block.running.delete(event.cell.id);
      block.counts.done++;
      block.print(resultLine(event.result, block.counts.done, block.counts.total));
    }
    const line = eventLine(event, live);
    if (line !== undefined) block.print(line);
  };
  return {
    listener,
    close() {
      if (timer) clearInterval(timer);
      block.clear();
    },
  };
}
