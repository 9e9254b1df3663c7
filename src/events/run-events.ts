// The one event stream between the engine and everything that watches it. The
// scheduler and the cell runner emit; the terminal progress (views/progress.ts),
// the GitHub log (github/ci-log.ts) and the results writer (engine/persist.ts)
// subscribe. Tests assert on these events, not on rendered text.
//
// Order for one cell: queued → image resolving (once per kernel) → image
// cached|downloaded → boot (per attempt) → loader start → loader end (per test) → retry
// (when an attempt ended `infra` and retries are left) → result. `accel` comes
// once per arch, before its first boot; `log` any time.

import type { Accel, Arch } from '../core/arch.js';
import type { Cell } from '../core/cell.js';
import type { CellResult, TestResult } from '../results/model.js';

export type RunEvent =
  /** The cell is planned for this run. */
  | { type: 'queued'; cell: Cell }
  /** The cell's kernel: being resolved, then found in the cache or downloaded (`detail`: its release). */
  | { type: 'image'; cell: Cell; state: 'resolving' | 'cached' | 'downloaded'; detail?: string }
  /** KVM or TCG was chosen for an arch, and why. */
  | { type: 'accel'; arch: Arch; accel: Accel; why: string }
  /** A VM is starting for the cell (attempt 1, 2, …). */
  | { type: 'boot'; cell: Cell; accel: Accel; attempt: number }
  /** The guest reported test `test` (the loader, for `loader:`) starting or ending. */
  | { type: 'loader'; cell: Cell; phase: 'start' | 'end'; test: string }
  /** Output of test `test` as the guest streams it while the test runs (run --verbose only); any chunking. */
  | { type: 'output'; cell: Cell; test: string; stream: 'stdout' | 'stderr'; text: string }
  /** One test of the cell finished in the guest (`test`'s status before the cell is decided). */
  | { type: 'test'; cell: Cell; test: TestResult }
  /** The last attempt was an infrastructure failure; attempt `attempt` follows. */
  | { type: 'retry'; cell: Cell; attempt: number; why: string }
  /** The cell is finished; `resumed` when it was kept from an earlier run (--resume). */
  | { type: 'result'; cell: Cell; result: CellResult; resumed?: boolean }
  /** A line for humans (downloads, the run's size). */
  | { type: 'log'; level: 'info' | 'warn'; message: string };

/** A subscriber; one that returns a promise (the results writer) is awaited by emit. */
export type RunListener = (event: RunEvent) => void | Promise<void>;

export interface RunEvents {
  /** Delivers to every subscriber in order; resolves when async subscribers are done. */
  emit(event: RunEvent): Promise<void>;
  subscribe(listener: RunListener): void;
}

export function createRunEvents(): RunEvents {
  const listeners: RunListener[] = [];
  return {
    async emit(event) {
      const pending = listeners.map((listen) => listen(event));
      await Promise.all(pending);
    },
    subscribe(listener) {
      listeners.push(listener);
    },
  };
}
