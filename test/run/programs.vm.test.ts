// Verified instruction counts on real kernels (TCG): the example's execsnoop (a
// cilium/ebpf kprobe) on Debian bullseye (5.10, whose bpf_prog_info has no
// verified_insns: unknown) and trixie (6.12: counted), trixie on amd64 and on s390x
// (big-endian: pmcell reads the kernel's struct in its byte order). results.json
// carries each test's programs; the HTML report charts them across kernels.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResults } from '../../src/results/read.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';

// Built by scripts/build-example; a missing loader fails the run's pre-flight loudly.
const LOADER = path.join(repoRoot, 'examples/execsnoop/bin/execsnoop-{goarch}');

describe("the programs a test loads, and the verifier's counts", () => {
  it('execsnoop: unknown on 5.10, counted on 6.12 amd64 and s390x, in results.json and the chart', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pm-programs-'));
    // bullseye builds no s390x kernel: that cell is a skip.
    const tests = `tests:\n  - name: execsnoop\n    path: ${LOADER}\n    timeout: 120\n`;
    writeFileSync(path.join(dir, 'matrix.yaml'), `kernels: [debian:bullseye, debian:trixie]\narches: [amd64, s390x]\n${tests}`);
    await useTestLock(dir);
    const args = ['run', '--allow-outside-project', '--accel', 'tcg', '--retries', '0', '--reporter', 'json,html'];
    const run = await runCli(args, { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const results = await readResults(path.join(dir, 'results'));
    const ran = results.cells.filter((c) => c.status !== 'skip');
    expect(ran.map((c) => [c.id, c.status])).toEqual([
      ['amd64/debian-bullseye/default', 'pass'],
      ['amd64/debian-trixie/default', 'pass'],
      ['s390x/debian-trixie/default', 'pass'],
    ]);
    const programs = Object.fromEntries(ran.map((c) => [c.id, c.tests[0]!.programs ?? []]));
    // The example's one program, by the name the kernel keeps; cilium/ebpf's own feature
    // probes may be seen beside it.
    const execsnoop = (id: string) => programs[id]!.filter((p) => p.name === 'execsnoop');
    expect(execsnoop('amd64/debian-bullseye/default')).toEqual([{ name: 'execsnoop', type: 'kprobe' }]);
    expect(programs['amd64/debian-bullseye/default']!.every((p) => p.verifiedInsns === undefined)).toBe(true);
    const counts: Record<string, number> = {};
    for (const id of ['amd64/debian-trixie/default', 's390x/debian-trixie/default']) {
      const want = [{ name: 'execsnoop', type: 'kprobe', verifiedInsns: expect.any(Number) }];
      expect(execsnoop(id), JSON.stringify(programs[id])).toEqual(want);
      for (const p of programs[id]!) expect(p.verifiedInsns, `${id} ${p.name}`).toBeGreaterThan(0);
      counts[id] = execsnoop(id)[0]!.verifiedInsns!;
      // A count read in the wrong byte order would be a multiple of 65536.
      expect(counts[id]).toBeLessThan(65536);
    }
    const html = readFileSync(path.join(dir, 'results/report.html'), 'utf8');
    const chart = html.slice(html.indexOf('<h2>Program complexity across kernels</h2>'));
    expect(chart.length).toBeLessThan(html.length);
    expect(chart).toContain('execsnoop › execsnoop <span class="muted">(kprobe)</span>');
    expect(chart).toContain('>unknown</td>');
    for (const n of Object.values(counts)) expect(chart).toContain(`<span class="n">${n.toLocaleString('en-US')}</span>`);
  }, 1_200_000);
});
