// Output past what a test keeps is cut in the guest; the results model says so,
// per stream, with how much it holds and how much there was, so every report can.

import { describe, expect, it } from 'vitest';
import type { TestSpec } from '../../src/core/cell.js';
import { FrameParser, parseFrames } from '../../src/guest/frames.js';
import { decideTest } from '../../src/outcome/test-outcome.js';
import { testRuns } from '../../src/outcome/test-runs.js';
import type { CellResult } from '../../src/results/model.js';
import { loaderTest } from '../../src/results/tests.js';

const T = '0123456789abcdef';
const F = `@@portmatrix:${T}`;
const b64 = (s: string) => Buffer.from(s).toString('base64');
const spec = {
  name: 'chatty',
  kind: 'exec',
  path: '/x',
  args: [],
  env: {},
  files: [],
  workdir: '',
  timeoutSec: 60,
} as TestSpec;

describe('output cut', () => {
  it('records a stream the guest capped to its tail: 50 MiB written, 4 bytes kept', () => {
    const r = parseFrames(`${F} begin=stdout\n${b64('tail')}\n${F} end=stdout bytes=4 total=52428800\n`, T);
    expect(r.outputCut).toEqual({ stdout: { keptBytes: 4, totalBytes: 52428800 } });
    const cell = {
      status: 'pass',
      timedOut: false,
      timings: { totalMs: 1 },
      stdout: 'tail',
      stderr: '',
      outputCut: [{ stream: 'stdout', keptBytes: 4, totalBytes: 52428800 }],
    } as unknown as CellResult;
    expect(loaderTest(cell).outputCut).toEqual([{ stream: 'stdout', keptBytes: 4, totalBytes: 52428800 }]);
  });

  it("puts a test's cut on that test, and a stream that died mid-way without a total", () => {
    const p = new FrameParser(T);
    p.push(
      `${F} test-start=0 t=1.0\n${F} test-end=0 exit=0 timedout=0 t=1.5\n${F} begin=stderr.0\n${b64('end of it')}\n${F} end=stderr.0 bytes=9 total=2000000\n`,
    );
    p.push(`${F} test-start=1 t=2.0\n${F} live=stdout.1 ${b64('before the panic\n')}\n`);
    const report = p.end();
    expect(report.outputCut).toEqual({
      'stderr.0': { keptBytes: 9, totalBytes: 2000000 },
      'stdout.1': { keptBytes: 17 },
    });
    const runs = testRuns([spec, spec], report, { consoleTail: 'Kernel panic - not syncing: x' });
    expect(decideTest(spec, runs[0]!).outputCut).toEqual([{ stream: 'stderr', keptBytes: 9, totalBytes: 2000000 }]);
    expect(decideTest(spec, runs[1]!).outputCut).toEqual([{ stream: 'stdout', keptBytes: 17 }]);
  });

  it('records nothing when nothing was cut', () => {
    const r = parseFrames(`${F} begin=stdout\n${b64('all')}\n${F} end=stdout bytes=3 total=3\n`, T);
    expect(r.outputCut).toBeUndefined();
  });
});
