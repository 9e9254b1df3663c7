// Watches the event stream and tells a human what is happening: a live block of
// running cells on a terminal, one plain line per event elsewhere (CI logs).

import type { Cell } from '../core/cell.js';
import { plainText } from '../core/plain-text.js';
import type { CellResult } from '../results/model.js';
import type { RunEvent, RunListener } from '../events/run-events.js';

const MARK: Record<CellResult['status'], string> = {
  pass: 'pass ',
  fail: 'FAIL ',
  xfail: 'xfail',
  xpass: 'XPASS',
  infra: 'INFRA',
  skip: 'skip ',
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export function resultLine(result: CellResult, done: number, total: number): string {
  const reason = result.reason ? `  ${plainText(result.reason).slice(0, 160)}` : '';
  const accel = result.accel ? ` ${result.accel}` : '';
  return `[${String(done).padStart(String(total).length)}/${total}] ${MARK[result.status]} ${result.id}  ${seconds(result.timings.totalMs)}${accel}${reason}`;
}

export interface Progress {
  listener: RunListener;
  /** Clears the live block; call before printing the final table. */
  close(): void;
}

export function createProgress(out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, live: boolean): Progress {
  let total = 0;
  let done = 0;
  const running = new Map<string, { cell: Cell; since: number; phase: string }>();
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;

  const clear = () => {
    if (drawn > 0) out.write(`\x1b[${drawn}A\x1b[0J`);
    drawn = 0;
  };
  const draw = () => {
    if (!live) return;
    clear();
    const width = Math.max(40, (out.columns ?? 100) - 1);
    const lines = [...running.values()].map(
      (r) => `  ${r.phase.padEnd(6)} ${r.cell.id}  ${seconds(Date.now() - r.since)}`.slice(0, width),
    );
    lines.push(`  ${done}/${total} done, ${running.size} running`);
    out.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const print = (line: string) => {
    clear();
    out.write(`${line}\n`);
    draw();
  };

  const listener = (event: RunEvent) => {
    switch (event.type) {
      case 'queued':
        total++;
        if (live && !timer) timer = setInterval(draw, 500).unref();
        break;
      case 'accel':
        print(`acceleration for ${event.arch}: ${event.accel} (${event.why})`);
        break;
      case 'boot':
        running.set(event.cell.id, { cell: event.cell, since: Date.now(), phase: 'boot' });
        if (!live) print(`start  ${event.cell.id} (${event.accel}${event.attempt > 1 ? `, attempt ${event.attempt}` : ''})`);
        break;
      case 'loader': {
        const r = running.get(event.cell.id);
        if (r) r.phase = event.phase === 'start' ? 'loader' : 'report';
        break;
      }
      case 'retry':
        print(`retry  ${event.cell.id} (attempt ${event.attempt}): ${plainText(event.why).slice(0, 160)}`);
        break;
      case 'result':
        running.delete(event.cell.id);
        done++;
        print(resultLine(event.result, done, total));
        break;
      case 'log':
        print(event.level === 'warn' ? `warning: ${event.message}` : event.message);
        break;
      case 'image':
        break;
    }
  };
  return {
    listener,
    close() {
      if (timer) clearInterval(timer);
      clear();
    },
  };
}
