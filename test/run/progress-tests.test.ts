// Per-test progress lines: each finished test prints one plain line as it ends.

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/views/progress.js';
import { cellResult, testResult } from '../helpers/cells.js';
import { cell } from '../plan/cells.js';

/** The plain-line progress view (not a terminal) on a captured stream; `text()` is what it printed. */
function capture(o?: Parameters<typeof createProgress>[2]) {
  const out = new PassThrough();
  let printed = '';
  out.on('data', (d) => (printed += String(d)));
  return { progress: createProgress(out, false, o), text: () => printed };
}

describe('per-test progress', () => {
  it('prints one line per finished test, with its status, time and reason, escapes stripped', () => {
    const { progress, text } = capture();
    const c = cell('amd64', 'debian:trixie');
    const base = { kind: 'exec' as const, timedOut: false, stdout: '', stderr: '', kernelLog: '' };
    progress.listener({
      type: 'test',
      cell: c,
      test: { ...base, name: 'smoke', status: 'pass', timings: { ms: 1234 } },
    });
    progress.listener({
      type: 'test',
      cell: c,
      test: {
        ...base,
        name: 'hang',
        status: 'fail',
        timedOut: true,
        reason: 'timed out after 2s\x1b[31m',
        timings: { ms: 2000 },
      },
    });
    progress.close();
    expect(text()).toBe('  pass  amd64/debian-trixie/default › smoke  1.2s\n  FAIL  amd64/debian-trixie/default › hang  2.0s  timed out after 2s\n');
  });

  it('with --verbose prints the guest output streamed for each test line by line, plain, the open line at the test end', () => {
    const { progress, text } = capture({ verbose: true });
    const c = cell('amd64', 'debian:trixie');
    const base = { kind: 'exec' as const, timedOut: false, stdout: '', stderr: '', kernelLog: '' };
    const output = (test: string, stream: 'stdout' | 'stderr', chunk: string) => progress.listener({ type: 'output', cell: c, test, stream, text: chunk });
    output('hang', 'stdout', 'one\ntw');
    output('hang', 'stderr', 'warn\x1b[31m red\r\n');
    output('hang', 'stdout', 'o\nthree, no newline');
    progress.listener({
      type: 'test',
      cell: c,
      test: {
        ...base,
        name: 'hang',
        status: 'fail',
        timedOut: true,
        reason: 'timed out after 2s',
        timings: { ms: 2000 },
      },
    });
    progress.close();
    expect(text()).toBe(
      [
        '  │ amd64/debian-trixie/default › hang: one',
        '  │ amd64/debian-trixie/default › hang (stderr): warn red',
        '  │ amd64/debian-trixie/default › hang: two',
        '  │ amd64/debian-trixie/default › hang: three, no newline',
        '  FAIL  amd64/debian-trixie/default › hang  2.0s  timed out after 2s',
        '',
      ].join('\n'),
    );
  });

  it('fences streamed output in GitHub Actions, so no line of it is a workflow command', () => {
    const { progress, text } = capture({ verbose: true, github: true });
    progress.listener({
      type: 'output',
      cell: cell('amd64', 'debian:trixie'),
      test: 'smoke',
      stream: 'stdout',
      text: '::error::forged\n',
    });
    progress.close();
    const lines = text().split('\n');
    expect(lines[0]).toMatch(/^::stop-commands::portmatrix-[0-9a-f]{32}$/);
    expect(lines[1]).toBe('  │ amd64/debian-trixie/default › smoke: ::error::forged');
    expect(lines[2]).toBe(`::${lines[0]!.slice('::stop-commands::'.length)}::`);
  });

  it('prints nothing of the output without --verbose', () => {
    const { progress, text } = capture();
    progress.listener({
      type: 'output',
      cell: cell('amd64', 'debian:trixie'),
      test: 'smoke',
      stream: 'stdout',
      text: 'hello\n',
    });
    progress.close();
    expect(text()).toBe('');
  });

  it("with --verbose prints a test's output at its end when none was streamed (vng), and a one-program cell's with its result", () => {
    const { progress, text } = capture({ verbose: true });
    const c = cell('amd64', 'debian:trixie');
    const base = { kind: 'exec' as const, timedOut: false, kernelLog: '', timings: { ms: 1000 } };
    // A test that streamed nothing: its output from its result, before its line.
    progress.listener({
      type: 'test',
      cell: c,
      test: { ...base, name: 'quiet', status: 'pass', stdout: 'a\nb\n', stderr: 'warn\n' },
    });
    // A one-program cell: streamed, its open line printed with its result; then one that streamed nothing.
    const loader = testResult({ ...base, stdout: 'x\ny' });
    const result = (id: string) => cellResult({ id, tests: [loader] });
    progress.listener({ type: 'output', cell: c, test: 'loader', stream: 'stdout', text: 'x\ny' });
    progress.listener({ type: 'result', cell: c, result: result(c.id) });
    const other = cell('arm64', 'debian:trixie');
    progress.listener({ type: 'result', cell: other, result: result(other.id) });
    // A result kept from an earlier run prints nothing of its output.
    progress.listener({ type: 'result', cell: other, result: result(other.id), resumed: true });
    progress.close();
    expect(
      text()
        .split('\n')
        .filter((l) => l.startsWith('  │')),
    ).toEqual([
      '  │ amd64/debian-trixie/default › quiet: a',
      '  │ amd64/debian-trixie/default › quiet: b',
      '  │ amd64/debian-trixie/default › quiet (stderr): warn',
      '  │ amd64/debian-trixie/default › loader: x',
      '  │ amd64/debian-trixie/default › loader: y',
      '  │ arm64/debian-trixie/default › loader: x',
      '  │ arm64/debian-trixie/default › loader: y',
    ]);
  });
});
