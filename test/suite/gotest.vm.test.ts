// `kind: gotest` on real kernels (TCG, Debian trixie 6.12): the bundled example's Go
// test binary (examples/execsnoop/bin/execsnoop-tests-<goarch>, scripts/build-example)
// runs in an amd64 and an arm64 guest and comes back case by case, subtests
// included; without kernel BTF (btf: none) the BTF cases skip with their message.
// JUnit has one testcase per case.

import { access, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/results/model.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';

const BIN = path.join(repoRoot, 'examples/execsnoop/bin');

describe('kind: gotest', () => {
  it('reports the example suite case by case on amd64 and arm64, skips without BTF', async () => {
    for (const arch of ['amd64', 'arm64']) {
      await access(path.join(BIN, `execsnoop-tests-${arch}`)).catch(() => {
        throw new Error(`examples/execsnoop/bin/execsnoop-tests-${arch} is missing: run scripts/build-example`);
      });
    }
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-gotest-'));
    await useTestLock(dir);
    await writeFile(
      path.join(dir, 'matrix.yaml'),
      `kernels: [debian:trixie]
arches: [amd64, arm64]
configs:
  - name: default
  - name: nobtf
    btf: none
exclude:
  - {arch: arm64, config: nobtf}
tests:
  - name: suite
    kind: gotest
    path: ${BIN}/execsnoop-tests-{goarch}
    args: [-test.run, 'TestLoad|TestEventForTrue|TestRingBuffer']
    timeout: 120
`,
    );
    const r = await runCli(['run', '--accel', 'tcg', '--retries', '0', '--reporter', 'json,junit'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
    const cases = (id: string) => {
      const cell = results.cells.find((c) => c.id === id)!;
      expect(cell.tests.map((t) => [t.name, t.kind, t.status])).toEqual([['suite', 'gotest', 'pass']]);
      return cell.tests[0]!.cases!.map((c) => [c.name, c.status, c.skipMessage]);
    };
    const passing = [
      ['TestLoad', 'pass', undefined],
      ['TestEventForTrue', 'pass', undefined],
      ['TestRingBuffer', 'pass', undefined],
      ['TestRingBuffer/events_arrive_in_order', 'pass', undefined],
      ['TestRingBuffer/a_short_record_is_refused', 'pass', undefined],
    ];
    expect(cases('amd64/debian-trixie/default')).toEqual(passing);
    expect(cases('arm64/debian-trixie/default')).toEqual(passing);
    const noBtf = 'kernel has no BTF (/sys/kernel/btf/vmlinux); pass -btf FILE';
    expect(cases('amd64/debian-trixie/nobtf')).toEqual([
      ['TestLoad', 'skip', noBtf],
      ['TestEventForTrue', 'skip', noBtf],
      ['TestRingBuffer', 'pass', undefined],
      ['TestRingBuffer/events_arrive_in_order', 'skip', noBtf],
      ['TestRingBuffer/a_short_record_is_refused', 'pass', undefined],
    ]);
    // The binary runs under its own name: the event's comm is the test binary's (15 bytes).
    const amd64 = results.cells.find((c) => c.id === 'amd64/debian-trixie/default')!;
    expect(amd64.tests[0]!.cases!.find((c) => c.name === 'TestEventForTrue')!.output).toContain('comm "execsnoop-tests"');
    const junit = await readFile(path.join(dir, 'results/junit.xml'), 'utf8');
    expect(junit).toContain('name="suite/TestRingBuffer/events_arrive_in_order"');
  }, 900_000);
});
