// `kind: gotest` on real kernels (TCG, Debian trixie 6.12): the bundled example's Go
// test binary (examples/execsnoop/bin/execsnoop-tests-<goarch>, scripts/build-example)
// runs in an amd64 and an arm64 guest and comes back case by case, subtests
// included; without kernel BTF (btf: none) the BTF cases skip with their message.
// JUnit has one testcase per case. Then the fixture (test/fixtures/gotest) cross-built
// for big-endian s390x: pass, fail, skip and nested subtests case by case, and a
// panic and a hang killed at the test's timeout keep the cases already reported.

import { execFileSync } from 'node:child_process';
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
    const r = await runCli(['run', '--allow-outside-project', '--accel', 'tcg', '--retries', '0', '--reporter', 'json,junit'], { cwd: dir });
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

  it('parses a cross-built s390x binary case by case; a panic and a timeout keep the cases before them', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-gotest-s390x-'));
    execFileSync('go', ['test', '-c', '-o', path.join(dir, 'fixture.test'), '.'], {
      cwd: path.join(repoRoot, 'test/fixtures/gotest'),
      env: { ...process.env, GOARCH: 's390x', CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-trimpath' },
      stdio: 'pipe',
    });
    await useTestLock(dir);
    await writeFile(
      path.join(dir, 'matrix.yaml'),
      `kernels: [debian:trixie]
arches: [s390x]
tests:
  - {name: all, kind: gotest, path: ./fixture.test, timeout: 60}
  - {name: panics, kind: gotest, path: ./fixture.test, args: [-test.run, '^TestPasses$|^TestPanics$|^TestZLast$', -fixture.panic], timeout: 60}
  - {name: hangs, kind: gotest, path: ./fixture.test, args: [-test.run, '^TestPasses$|^TestHangs$', -fixture.hang], timeout: 8}
`,
    );
    const r = await runCli(['run', '--allow-outside-project', '--accel', 'tcg', '--retries', '0', '--reporter', 'json,junit'], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
    const [all, panics, hangs] = results.cells[0]!.tests;
    const summary = (t: typeof all) => t!.cases!.map((c) => `${c.status} ${c.name}`);
    expect(summary(all)).toEqual([
      'pass TestPasses',
      'fail TestFails',
      'skip TestSkipped',
      'fail TestNested',
      'pass TestNested/ok',
      'pass TestNested/ok/deeper',
      'fail TestNested/bad',
      'skip TestNested/skip_me',
      'pass TestPrintsToStdout',
      'pass TestPanics',
      'pass TestPanics/before',
      'pass TestPanics/inner',
      'pass TestHangs',
      'pass TestZLast',
    ]);
    expect(all!.cases!.find((c) => c.name === 'TestNested/skip_me')!.skipMessage).toBe('skipped on purpose');
    expect([all!.status, all!.reason]).toEqual(['fail', 'TestFails, TestNested, TestNested/bad failed']);
    expect(summary(panics)).toEqual(['pass TestPasses', 'fail TestPanics', 'pass TestPanics/before', 'fail TestPanics/inner']);
    expect(panics!.status).toBe('fail');
    expect(summary(hangs)).toEqual(['pass TestPasses', 'fail TestHangs']);
    expect([hangs!.status, hangs!.reason, hangs!.timedOut]).toEqual(['fail', 'timed out after 8s', true]);
    const junit = await readFile(path.join(dir, 'results/junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(3 + 14 + 4 + 2);
  }, 900_000);
});
