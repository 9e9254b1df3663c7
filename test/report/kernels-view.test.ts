// The kernels view: a run of the naive loader on bullseye (passes) and bookworm
// (fails on task_struct.state), with the check's kernel summaries beside the cells.

import { describe, expect, it } from 'vitest';
import { kernelsSection, testKernelDetail } from '../../src/report/html-kernels.js';
import { testsAcrossKernels } from '../../src/report/kernels-view.js';
import type { Finding, KernelSummary } from '../../src/results/check.js';
import { optionLines, withConfigContrasts } from '../../src/results/config-contrast.js';
import { cellResult, runResults, testResult } from '../helpers/cells.js';

const STATE: Finding = {
  kind: 'field',
  level: 'fail',
  object: 'naive.o',
  need: 'task_struct.state',
  detail: 'absent; task_struct has __state',
};

const summary = (kernel: string, release: string, options: [string, string][]): KernelSummary => ({
  kernel,
  arch: 'amd64',
  release,
  btfSource: 'kernel',
  helpers: 200,
  kfuncs: 40,
  options: options.map(([name, value]) => ({ name, value, area: 'bpf' })),
});

const reason = 'bad CO-RE relocation';
const failing = testResult({
  status: 'fail',
  reason,
  explanation: STATE,
  prediction: 'agree',
  verifierLog: ['0: R1=ctx() R10=fp0', 'invalid func unknown#195896080'],
});
const run = runResults(
  [
    cellResult({ id: 'amd64/bullseye/default', tests: [testResult({ prediction: 'agree' })] }),
    cellResult({ id: 'amd64/bookworm/default', status: 'fail', reason, tests: [failing] }),
    cellResult({ id: 'arm64/bookworm/default', tests: [testResult({ prediction: 'predicted-fail-passed' })] }),
  ],
  {
    check: {
      version: 1,
      cells: [],
      kernels: [
        summary('bullseye', '5.10.0-32-amd64', [
          ['CONFIG_BPF_LSM', 'y'],
          ['CONFIG_BPF_JIT', 'y'],
        ]),
        summary('bookworm', '6.1.0-28-amd64', [
          ['CONFIG_BPF_JIT', 'y'],
          ['CONFIG_BPF_UNPRIV_DEFAULT_OFF', 'y'],
        ]),
      ],
    },
  },
);

// As the run records them: each failing test with its configuration contrast.
const results = { ...run, cells: withConfigContrasts(run.cells, run.check?.kernels) };

describe('the kernels view', () => {
  it('lists where each test passes, why it fails elsewhere, and where the prediction missed', () => {
    expect(testsAcrossKernels(results)).toEqual([
      {
        name: 'loader',
        passesOn: ['amd64/bullseye/default', 'arm64/bookworm/default'],
        failsOn: [
          {
            id: 'amd64/bookworm/default',
            status: 'fail',
            why: 'kernel lacks field task_struct.state: absent; task_struct has __state — bad CO-RE relocation',
          },
        ],
        mismatches: [
          {
            id: 'arm64/bookworm/default',
            text: 'predicted to fail but passed (the program handled what the kernel lacks)',
          },
        ],
      },
    ]);
  });

  it('contrasts the failing kernel with one the test passes on, same arch first', () => {
    const cell = results.cells.find((c) => c.id === 'amd64/bookworm/default')!;
    expect(cell.tests[0]!.configContrast).toEqual({
      against: 'amd64/bullseye/default',
      lines: ['CONFIG_BPF_LSM: y → not set', 'CONFIG_BPF_UNPRIV_DEFAULT_OFF: not set → y'],
    });
    const contrasted = results.cells.filter((c) => c.tests.some((t) => t.configContrast));
    expect(contrasted.map((c) => c.id)).toEqual(['amd64/bookworm/default']);
  });

  it('puts the option the explanation names first, then by area (bpf before probes), then by name', () => {
    const opt = (name: string, area: string) => ({ name, value: 'y', area });
    const [jit, fprobe] = [opt('CONFIG_BPF_JIT', 'bpf'), opt('CONFIG_FPROBE', 'probes')];
    const pass = [jit, fprobe, opt('CONFIG_KPROBES_ON_FTRACE', 'probes')];
    const fail = [jit, opt('CONFIG_ARM64_BPF', 'bpf')];
    const lines = ['CONFIG_ARM64_BPF: not set → y', 'CONFIG_FPROBE: y → not set'];
    lines.push('CONFIG_KPROBES_ON_FTRACE: y → not set');
    expect(optionLines(pass, fail)).toEqual(lines);
    expect(optionLines(pass, fail, 'CONFIG_FPROBE')[0]).toBe('CONFIG_FPROBE: y → not set');
  });

  it('renders the kernels, the verifier lines and the contrast, escaped', () => {
    const html = kernelsSection(results);
    expect(html).toContain('<td>6.1.0-28-amd64</td><td>kernel</td><td>200</td><td>40</td>');
    expect(html).toContain('CONFIG_BPF_JIT=y, CONFIG_BPF_UNPRIV_DEFAULT_OFF=y');
    const cell = results.cells.find((c) => c.id === 'amd64/bookworm/default')!;
    const detail = testKernelDetail(cell.tests[0]!);
    expect(detail).toContain('invalid func unknown#195896080');
    expect(detail).toContain('differs from amd64/bullseye/default (passes there)');
    expect(detail).toContain('CONFIG_BPF_LSM: y → not set');
  });

  it("claims no missed prediction for a test that passed beside a test of its cell that failed (the cell's check covers both)", () => {
    const beside = runResults([
      cellResult({
        id: 'amd64/trixie/nobtf',
        status: 'xfail',
        tests: [testResult({ name: 'core', status: 'xfail', prediction: 'agree' }), testResult({ name: 'other', prediction: 'predicted-fail-passed' })],
      }),
      cellResult({ id: 'amd64/sid/nobtf', tests: [testResult({ name: 'other', prediction: 'predicted-fail-passed' })] }),
    ]);
    expect(testsAcrossKernels(beside).map((t) => [t.name, t.mismatches.map((m) => m.id)])).toEqual([
      ['other', ['amd64/sid/nobtf']],
      ['core', []],
    ]);
  });

  it('leaves the section out of a run without a check', () => {
    expect(kernelsSection(runResults(results.cells))).toBe('');
  });
});
