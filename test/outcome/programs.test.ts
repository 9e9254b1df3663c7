// A test's programs as results.json keeps them: each distinct one once, sorted, and a
// count the kernel did not give taken from the loader's verifier log by name.
import { describe, expect, it } from 'vitest';
import { parseFrames } from '../../src/guest/frames.js';
import { programResults } from '../../src/outcome/programs.js';
import { decideTest } from '../../src/outcome/test-outcome.js';
import { testRuns } from '../../src/outcome/test-runs.js';
import { testSpec } from '../helpers/cells.js';

describe('programResults', () => {
  it('keeps each distinct program once, sorted by name, type and count', () => {
    const seen = [
      { id: 9, name: 'tp_exit', type: 'tracepoint', verifiedInsns: 40 },
      { id: 7, name: 'enter', type: 'tracepoint', verifiedInsns: 120 },
      // A Go test binary loads the same collection in two subtests: the same program again.
      { id: 11, name: 'enter', type: 'tracepoint', verifiedInsns: 120 },
      { id: 12, name: 'enter', type: 'tracepoint', verifiedInsns: 118 },
    ];
    expect(programResults(seen)).toEqual([
      { name: 'enter', type: 'tracepoint', verifiedInsns: 118 },
      { name: 'enter', type: 'tracepoint', verifiedInsns: 120 },
      { name: 'tp_exit', type: 'tracepoint', verifiedInsns: 40 },
    ]);
  });

  it("takes an unknown count from the loader's log, matching the kernel's 15 characters of a name", () => {
    const seen = [
      { id: 3, name: 'handle_execve_e', type: 'tracepoint' },
      { id: 4, name: 'other', type: 'kprobe' },
    ];
    expect(programResults(seen, [{ program: 'handle_execve_enter', insns: 311 }, { insns: 5 }])).toEqual([
      { name: 'handle_execve_e', type: 'tracepoint', verifiedInsns: 311, insnsFrom: 'log' },
      { name: 'other', type: 'kprobe' },
    ]);
  });

  it('is absent when the guest saw no program', () => {
    expect(programResults(undefined)).toBeUndefined();
    expect(programResults([])).toBeUndefined();
  });

  it("reach the test's result from the guest's frames", () => {
    const F = '@@portmatrix:t0k3n';
    const console_ = [
      `${F} test-start=0 t=1.00`,
      `${F} test-end=0 exit=0 timedout=0 t=2.00`,
      `${F} prog=0 id=5 type=26 insns=2048 name=on_exec`,
      `${F} prog=0 id=6 type=5 insns=? name=on_exit`,
      '',
    ].join('\n');
    const [run] = testRuns([testSpec()], parseFrames(console_, 't0k3n'), { consoleTail: '' });
    expect(decideTest(testSpec(), run!).programs).toEqual([
      { name: 'on_exec', type: 'tracing', verifiedInsns: 2048 },
      { name: 'on_exit', type: 'tracepoint' },
    ]);
  });
});
