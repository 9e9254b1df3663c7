// Per-test progress lines: each finished test prints one plain line as it ends.

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/run/progress.js';
import { cell } from '../plan/cells.js';

describe('per-test progress', () => {
  it('prints one line per finished test, with its status, time and reason, escapes stripped', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += String(d)));
    const progress = createProgress(out, false);
    const c = cell('amd64', 'debian:trixie');
    const base = { kind: 'exec' as const, timedOut: false, stdout: '', stderr: '', kernelLog: '' };
    progress.listener({ type: 'test', cell: c, test: { ...base, name: 'smoke', status: 'pass', timings: { ms: 1234 } } });
    progress.listener({ type: 'test', cell: c, test: { ...base, name: 'hang', status: 'fail', timedOut: true, reason: 'timed out after 2s\x1b[31m', timings: { ms: 2000 } } });
    progress.close();
    expect(text).toBe('  pass  amd64/debian-trixie/default › smoke  1.2s\n  FAIL  amd64/debian-trixie/default › hang  2.0s  timed out after 2s\n');
  });
});
