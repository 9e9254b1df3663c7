// The one event stream between the engine and everything that watches it
// (terminal progress, CI log, GitHub groups, results writer). Tests assert on events.

import type { Cell } from '../core/cell.js';
import type { CellResult } from '../results/model.js';

export type RunEvent =
  | { type: 'queued'; cell: Cell }
  | { type: 'image'; cell: Cell; state: 'resolving' | 'cached' | 'downloaded'; detail?: string }
  | { type: 'accel'; arch: string; accel: 'kvm' | 'tcg'; why: string }
  | { type: 'boot'; cell: Cell; accel: 'kvm' | 'tcg'; attempt: number }
  | { type: 'loader'; cell: Cell; phase: 'start' | 'end' }
  | { type: 'retry'; cell: Cell; attempt: number; why: string }
  | { type: 'result'; cell: Cell; result: CellResult }
  | { type: 'log'; level: 'info' | 'warn'; message: string };

export type RunListener = (event: RunEvent) => void;
