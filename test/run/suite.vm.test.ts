// A cell's `tests:` in one guest, on a real kernel (TCG, amd64, Debian trixie 6.12),
// through the CLI with retries off. Five tests: a pass, an exit 1, a hang past its
// timeout after printing a line, a kernel panic, a pass: every result is there, the
// hang keeps its line, the panic its line, reason and console tail, and the last
// test ran on a second guest. Then isolation: a test that leaves a pinned map and a
// kprobe event behind cannot change the next test's outcome, and each test has its
// own kernel-log segment; the configured user for every test; a wedged guest.

import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellResult, RunResults } from '../../src/results/model.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { scriptProject } from '../helpers/script-project.js';

const project = (scripts: Record<string, string>, tests: string) => scriptProject('pm-suite-', scripts, `tests:\n${tests}`);

async function run(dir: string): Promise<{ code: number; stdout: string; stderr: string; cell: CellResult }> {
  const r = await runCli(['run', '--accel', 'tcg', '--retries', '0', '--reporter', 'json'], { cwd: dir });
  const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
  expect(results.cells).toHaveLength(1);
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, cell: results.cells[0]! };
}

describe('a cell of tests in one guest', () => {
  it('keeps every result when one test hangs and another panics the kernel', async () => {
    const dir = await project(
      {
        'ok.sh': 'echo "ok in $(pwd)"; ls /tmp',
        'fails.sh': 'echo "about to fail" >&2; exit 1',
        'hangs.sh': 'echo "before the hang"; touch /tmp/left-by-hang; sleep 600',
        // The line is streamed to the host within 0.1 s: it outlives the guest.
        'panics.sh': 'echo "before the panic"; sleep 1; echo c > /proc/sysrq-trigger; sleep 5',
      },
      `  - {name: first, path: ./ok.sh, timeout: 20}
  - {name: fails, path: ./fails.sh, timeout: 20}
  - {name: hangs, path: ./hangs.sh, timeout: 3}
  - {name: panics, path: ./panics.sh, timeout: 20}
  - {name: last, path: ./ok.sh, timeout: 20, workdir: sub}
`,
    );
    const { code, stderr, cell } = await run(dir);
    expect(code, stderr).toBe(1);
    // Progress (stderr) prints a line per test, in order.
    const lines = stderr.split('\n').filter((l) => l.includes(' › '));
    expect(lines.map((l) => /› (\S+)/.exec(l)![1])).toEqual(['first', 'fails', 'hangs', 'panics', 'last']);
    const view = cell.tests.map((t) => [t.name, t.status, t.reason, t.stdout]);
    expect(view).toEqual([
      ['first', 'pass', undefined, 'ok in /portmatrix/t/0\n'],
      ['fails', 'fail', 'exited with code 1', ''],
      ['hangs', 'fail', 'timed out after 3s', 'before the hang\n'],
      ['panics', 'fail', 'kernel panic while the test ran: sysrq triggered crash', 'before the panic\n'],
      // A fresh guest, a fresh /tmp: nothing the hanging test left there.
      ['last', 'pass', undefined, 'ok in /portmatrix/t/4/sub\n'],
    ]);
    expect(cell.tests[1]!.stderr).toBe('about to fail\n');
    expect(cell.tests[3]!.consoleTail).toMatch(/Kernel panic - not syncing/);
    expect(cell.status).toBe('fail');
    expect(cell.reason).toMatch(
      /^3 of 5 tests failed: fails \(exited with code 1\), hangs \(timed out after 3s\), panics \(kernel panic while the test ran: sysrq triggered crash\)/,
    );
    expect(cell.guestBoots).toBe(2);
    expect(cell.attempts).toBe(1);
  }, 600_000);

  it('a pinned map and a kprobe event left by one test are gone for the next', async () => {
    const dir = await project(
      {
        // pin (test/fixtures/pin) pins a real BPF array map; the kprobe event goes through tracefs.
        'leaves.sh': [
          './tools/pin /sys/fs/bpf/left_map || exit 2',
          'echo "portmatrix-test-marker from leaves" > /dev/kmsg',
          'echo "p:kprobes/leftover do_sys_openat2" >> /sys/kernel/tracing/kprobe_events || exit 3',
          'echo 1 > /sys/kernel/tracing/events/kprobes/leftover/enable || exit 4',
          'ls /sys/fs/bpf; cat /sys/kernel/tracing/kprobe_events',
        ].join('\n'),
        'checks.sh': [
          'pins=$(ls -A /sys/fs/bpf); events=$(cat /sys/kernel/tracing/kprobe_events)',
          'echo "pins=[$pins] events=[$events]"',
          'test -z "$pins$events"',
        ].join('\n'),
      },
      `  - {name: leaves, path: ./leaves.sh, files: [{src: ./pin, dest: tools}], timeout: 20}
  - {name: checks, path: ./checks.sh, timeout: 20}
`,
    );
    execFileSync('go', ['build', '-o', path.join(dir, 'pin'), '.'], {
      cwd: path.join(repoRoot, 'test/fixtures/pin'),
      env: { ...process.env, CGO_ENABLED: '0', GOOS: 'linux', GOARCH: 'amd64' },
    });
    const { code, stderr, cell } = await run(dir);
    expect(code, stderr).toBe(0);
    expect(cell.tests.map((t) => [t.name, t.status, t.stdout])).toEqual([
      ['leaves', 'pass', 'pinned /sys/fs/bpf/left_map\nleft_map\np:kprobes/leftover do_sys_openat2\n'],
      ['checks', 'pass', 'pins=[] events=[]\n'],
    ]);
    // Each test's kernel-log segment holds what the kernel logged while it ran, and only that.
    expect(cell.tests[0]!.kernelLog).toMatch(/portmatrix-test-marker from leaves/);
    expect(cell.tests[1]!.kernelLog).not.toMatch(/portmatrix-test-marker/);
    // The cell's dmesg starts where the guest became ready: the boot log stays in the guest.
    expect(cell.dmesg).toMatch(/portmatrix-test-marker from leaves/);
    expect(cell.dmesg).not.toMatch(/Linux version|drop_caches/);
  }, 600_000);

  it('runs every test as the configured user, in a working directory it may write', async () => {
    const dir = await project(
      { 'who.sh': 'echo "uid=$(id -u) btf=$PORTMATRIX_BTF"; touch made-here && echo "wrote $(pwd)/made-here"' },
      `  - {name: one, path: ./who.sh, workdir: pkg, timeout: 20}
  - {name: two, path: ./who.sh, timeout: 20}
configs:
  - {name: nonroot, user: portmatrix}
`,
    );
    const { code, stderr, cell } = await run(dir);
    expect(code, stderr).toBe(0);
    expect(cell.tests.map((t) => [t.name, t.status, t.stdout])).toEqual([
      ['one', 'pass', 'uid=1000 btf=/sys/kernel/btf/vmlinux\nwrote /portmatrix/t/0/pkg/made-here\n'],
      ['two', 'pass', 'uid=1000 btf=/sys/kernel/btf/vmlinux\nwrote /portmatrix/t/1/made-here\n'],
    ]);
    expect(cell.guest?.uid).toBe(1000);
  }, 600_000);

  it('a test that wedges the guest fails as such, and the next runs on a new guest', async () => {
    const dir = await project(
      // SIGSTOP to every process but PID 1 (the guest's watchdog too), then to itself:
      // the guest never reports the test's end. What it printed a second before is kept.
      { 'wedges.sh': 'echo stopping everything; sleep 1; kill -STOP -1; kill -STOP $$', 'after.sh': 'echo after' },
      `  - {name: wedges, path: ./wedges.sh, timeout: 2}
  - {name: after, path: ./after.sh, timeout: 20}
`,
    );
    const started = Date.now();
    const { code, stderr, cell } = await run(dir);
    expect(code, stderr).toBe(1);
    expect(cell.tests.map((t) => [t.name, t.status, t.reason])).toEqual([
      ['wedges', 'fail', 'the guest stopped responding while the test ran'],
      ['after', 'pass', undefined],
    ]);
    expect(cell.tests.map((t) => t.stdout)).toEqual(['stopping everything\n', 'after\n']);
    expect(cell.guestBoots).toBe(2);
    // The host's per-test watchdog (2 s × 1.5 + 15 s), not the cell's whole deadline (minutes).
    expect(Date.now() - started).toBeLessThan(90_000);
  }, 600_000);
});
