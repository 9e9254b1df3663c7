// The loop of guests of a cell of tests, with the guest faked (its frames written
import type { Cell, TestSpec } from '../../src/core/cell.js';
// here): a test that dies with the guest fails with the panic, the cell boots again
// for the tests after it and only for those, skipped tests never run, and a guest
// that never starts leaves the rest `infra`.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GuestRun } from '../../src/boot/guest-run.js';
import type { BootPlan } from '../../src/boot/plan.js';
import { sharedFilesCache } from '../../src/boot/staged-files.js';
import { runSuite } from '../../src/engine/suite-runner.js';
import { parseFrames } from '../../src/guest/frames.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pm-suite-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const prog = path.join(dir, 'prog');
writeFileSync(prog, '#!/bin/sh\n');

const spec = (name: string): TestSpec => ({
  name,
  kind: 'exec',
  path: prog,
  args: [],
  env: {},
  files: [],
  workdir: '',
  timeoutSec: 5,
});
const cell: Cell = {
  id: 'amd64/k/default',
  arch: 'amd64',
  kernel: { source: 'debian:trixie', name: 'k' },
  config: { name: 'default', cmdline: [], sysctl: {} },
  libc: 'static',
  tests: ['a', 'b', 'c', 'd', 'e'].map(spec),
};
const boot = {
  cell,
  kernel: { kernelPath: '/k' } as never,
  accel: 'tcg' as const,
  busybox: '/bb',
  vm: { backend: 'vng' } as never,
  blobs: {} as never,
  virtioModules: async () => undefined,
  sharedFiles: sharedFilesCache(),
};

/** A guest that ran `ended` tests to their end (exit codes), then started `died` and panicked. */
function guest(plan: BootPlan, ended: [number, number][], died?: number): GuestRun {
  const F = `@@portmatrix:${plan.token}`;
  const lines = [`${F} phase=init t=1`, `${F} phase=loader-start t=1`];
  let t = 2;
  for (const [i, code] of ended) lines.push(`${F} test-start=${i} t=${t++}`, `${F} test-end=${i} exit=${code} timedout=0 t=${t++}`);
  if (died !== undefined) lines.push(`${F} test-start=${died} t=${t}`, '[ 9.1] Kernel panic - not syncing: sysrq triggered crash');
  else lines.push(`${F} phase=done t=${t}`);
  const consoleTail = lines.slice(-2).join('\n');
  return {
    exit: { code: 0, signal: null, timedOut: false, bootTimedOut: false, aborted: false, consoleTail, durationMs: 1 },
    report: parseFrames(lines.join('\n'), plan.token),
    consoleAfterStart: '',
  };
}

describe('runSuite', () => {
  it('boots again after a panic for the tests after it only; skipped tests never run', async () => {
    const guests: number[][] = [];
    const told: string[] = [];
    const out = await runSuite(cell, {
      boot,
      signal: new AbortController().signal,
      skipped: new Map([[4, 'static only']]),
      onTest: (t) => told.push(t.name),
      runGuest: async (plan, n, reported) => {
        guests.push(Object.keys(plan.testDeadlines ?? {}).map(Number));
        const run =
          n === 1
            ? guest(
                plan,
                [
                  [0, 0],
                  [1, 1],
                ],
                2,
              )
            : guest(plan, [[3, 0]]);
        // Test 0's report is complete while the guest still runs: its line comes now.
        if (n === 1) reported?.(0, run.report);
        told.push(`guest ${n} ended`);
        return run;
      },
    });
    expect(guests).toEqual([[0, 1, 2, 3], [3]]);
    expect(told).toEqual(['a', 'guest 1 ended', 'b', 'c', 'guest 2 ended', 'd']);
    expect(out.tests.map((t) => [t.name, t.status, t.reason])).toEqual([
      ['a', 'pass', undefined],
      ['b', 'fail', 'exited with code 1'],
      ['c', 'fail', 'kernel panic while the test ran: sysrq triggered crash'],
      ['d', 'pass', undefined],
      ['e', 'skip', 'static only'],
    ]);
    expect([out.boots.length, out.bootFailed, out.infra]).toEqual([2, false, undefined]);
  });

  it('a guest that never starts leaves every test infra, and boots no more', async () => {
    let n = 0;
    const out = await runSuite(cell, {
      boot,
      signal: new AbortController().signal,
      runGuest: async (plan) => {
        n++;
        const run = guest(plan, []);
        return {
          ...run,
          exit: { ...run.exit, bootTimedOut: true, consoleTail: 'Booting the kernel' },
          report: parseFrames('', plan.token),
        };
      },
    });
    expect(n).toBe(1);
    expect(out.bootFailed).toBe(true);
    expect(new Set(out.tests.map((t) => t.status))).toEqual(new Set(['infra']));
    expect(out.tests[0]!.reason).toMatch(/did not start \/init/);
  });
});
