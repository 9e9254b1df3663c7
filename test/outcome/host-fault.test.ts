// How QEMU ended, told apart: the host's fault (infra, retried) or not. The QEMU
// lines are what QEMU 10 printed on this host for each case (samples/qemu-*.stderr).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostFault, type VmEnd } from '../../src/outcome/host-fault.js';

const sample = (name: string) => readFileSync(path.join(import.meta.dirname, 'samples', name), 'utf8');
const end = (e: Partial<VmEnd>): VmEnd => ({
  code: 0,
  signal: null,
  timedOut: false,
  aborted: false,
  consoleTail: '',
  ...e,
});
const panicked = sample('trixie-amd64-sysrq-panic.console').split('\n').slice(-60).join('\n');

describe('host faults', () => {
  it('QEMU killed from outside by SIGKILL is the host', () => {
    expect(hostFault(end({ code: null, signal: 'SIGKILL', consoleTail: '@@portmatrix:0123456789abcdef phase=loader-start t=2.62' }))).toBe(
      'QEMU was killed by SIGKILL from outside portmatrix (out of memory, or the runner stopped it)',
    );
  });

  it('QEMU stopped by a SIGTERM it reports itself (it then exits 0) is the host', () => {
    expect(hostFault(end({ code: 0, consoleTail: sample('qemu-sigterm.stderr') }))).toMatch(/^QEMU was stopped by signal 15 from pid \d+ outside portmatrix$/);
  });

  it.each(['qemu-no-memory.stderr', 'qemu-no-kernel.stderr'])('QEMU failing on the host (%s) is the host', (name) => {
    expect(hostFault(end({ code: 1, consoleTail: sample(name) }))).toBe(`QEMU failed on the host (code 1): ${sample(name).trim()}`);
  });

  it('our own deadline or interrupt is not a fault of the host', () => {
    expect(hostFault(end({ code: null, signal: 'SIGKILL', timedOut: true }))).toBeUndefined();
    expect(hostFault(end({ code: 0, aborted: true, consoleTail: sample('qemu-sigterm.stderr') }))).toBeUndefined();
  });

  it('a guest kernel panic ends QEMU normally: not the host', () => {
    expect(panicked).toMatch(/Kernel panic - not syncing/);
    expect(hostFault(end({ code: 0, consoleTail: panicked }))).toBeUndefined();
  });
});
