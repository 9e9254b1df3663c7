// "Program complexity across kernels": the example's programs on bullseye (5.10: no
// verified_insns, unknown) and trixie (6.12: counted), amd64 and s390x, as rows of
// programs and columns of kernels grouped by arch; a guest's name is escaped.
import { describe, expect, it } from 'vitest';
import { complexityView } from '../../src/report/complexity-view.js';
import { renderHtml } from '../../src/report/html.js';
import { complexitySection } from '../../src/report/html-complexity.js';
import type { ProgramResult } from '../../src/results/model.js';
import { cellResult, runResults, testResult } from '../helpers/cells.js';

const ran = (id: string, programs: ProgramResult[] | undefined, over: Parameters<typeof testResult>[0] = {}) =>
  cellResult({
    id,
    kernel: { name: id.split('/')[1]!, release: id.includes('trixie') ? '6.12.57' : '5.10.244' },
    tests: [testResult({ name: 'execsnoop', programs, ...over })],
  });

const results = runResults([
  ran('amd64/debian-bullseye/default', [{ name: 'handle_exec', type: 'tracepoint' }]),
  ran('amd64/debian-trixie/default', [{ name: 'handle_exec', type: 'tracepoint', verifiedInsns: 1200 }]),
  ran('s390x/debian-trixie/default', [
    { name: 'handle_exec', type: 'tracepoint', verifiedInsns: 1500 },
    { name: '<b>x</b>', type: 'kprobe', verifiedInsns: 9 },
    // A loader's feature probe, as cilium/ebpf makes them on some kernels: no name.
    { name: '', type: 'kprobe', verifiedInsns: 6 },
  ]),
  // Only the loader's log said (a guest without the poller): the count is marked so.
  ran('s390x/debian-bullseye/default', undefined, { processedInsns: [{ program: 'handle_exec', insns: 900 }] }),
  cellResult({ id: 'arm64/debian-trixie/default', status: 'skip', tests: [testResult({ status: 'skip' })] }),
]);

const counted = (insns: number) => ({ insns, fromLog: false });
const unknown = { insns: undefined, fromLog: false };

describe('program complexity across kernels', () => {
  it('has a row per program and a column per kernel, arch by arch, oldest kernel first', () => {
    const view = complexityView(results)!;
    expect(view.columns.map((c) => `${c.arch} ${c.label}`)).toEqual([
      'amd64 debian-bullseye/default',
      'amd64 debian-trixie/default',
      's390x debian-bullseye/default',
      's390x debian-trixie/default',
    ]);
    expect(view.rows.map((r) => [r.program, r.type, r.counts, r.max])).toEqual([
      ['', 'kprobe', [undefined, undefined, undefined, counted(6)], 6],
      ['<b>x</b>', 'kprobe', [undefined, undefined, undefined, counted(9)], 9],
      ['handle_exec', '', [undefined, undefined, { insns: 900, fromLog: true }, undefined], 900],
      ['handle_exec', 'tracepoint', [unknown, counted(1200), undefined, counted(1500)], 1500],
    ]);
  });

  it('draws counts with bars against the row, says unknown and not seen, escapes names', () => {
    const html = complexitySection(results);
    expect(html).toContain('<h2>Program complexity across kernels</h2>');
    expect(html).toContain('<th scope="colgroup" colspan="2">amd64</th><th scope="colgroup" colspan="2">s390x</th>');
    expect(html).toContain('<span class="n">1,500</span><span class="bar" style="width:100%"></span>');
    expect(html).toContain('<span class="n">1,200</span><span class="bar" style="width:80%"></span>');
    expect(html).toContain('title="1,200 instructions processed (0.12% of the verifier&#39;s 1,000,000 limit)"');
    expect(html).toContain('<span class="n">900<sup>log</sup></span>');
    expect(html).toMatch(/title="unknown: the kernel gives no verified_insns before 5.16[^"]*">unknown<\/td>/);
    expect(html).toContain('>—</td>');
    expect(html).toContain('execsnoop › &lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('execsnoop › (unnamed) <span class="muted">(kprobe)</span>');
    expect(renderHtml(results)).toContain(html);
  });

  it('is left out when no test recorded a program', () => {
    const none = runResults([ran('amd64/debian-trixie/default', undefined)]);
    expect(complexityView(none)).toBeUndefined();
    expect(complexitySection(none)).toBe('');
  });
});
