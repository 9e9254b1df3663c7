// The per-test shell and pmcell run (the amd64 build), executed by the host's sh as nobody against a scratch bpffs/tracefs
// tree (never the host's own): a test that leaves a pin, a kprobe event and a
// tracing instance does not leave them to the next; a hanging test is killed with
// everything it started and keeps the line it printed; frames parse back per test.

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestSpec } from '../../src/core/cell.js';
import { parseFrames } from '../../src/guest/frames.js';
import { cellHelperPath } from '../../src/guest/initramfs.js';
import { guestFiles, stepOf, type TestStep, testCall, testFunctions } from '../../src/guest/test-steps.js';
import { decideTest } from '../../src/outcome/test-outcome.js';
import { testRuns } from '../../src/outcome/test-runs.js';

const TOKEN = 'feedfacefeedface';
const dir = mkdtempSync(path.join(tmpdir(), 'pm-steps-'));
chmodSync(dir, 0o777);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Whether a process runs: a zombie left to a PID 1 that does not reap (a container's) has ended. */
function running(pid: number): boolean {
  const status = existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, 'utf8') : '';
  return status !== '' && !/^State:\s+Z/m.test(status);
}

describe('test steps', () => {
  it('isolates tests: BPF state removed between them, a hang killed with its children, output per test', () => {
    const bpffs = path.join(dir, 'bpffs');
    const tracefs = path.join(dir, 'tracing');
    const out = path.join(dir, 'out');
    for (const d of [bpffs, path.join(tracefs, 'events/kprobes'), path.join(tracefs, 'instances'), out]) mkdirSync(d, { recursive: true });
    writeFileSync(path.join(tracefs, 'kprobe_events'), '');
    writeFileSync(path.join(tracefs, 'events/kprobes/enable'), '0');
    const tmp = path.join(dir, 'tmp');
    const mounts = path.join(dir, 'mounts');
    const env = { BPFFS: bpffs, TRACEFS: tracefs, PIDFILE: path.join(dir, 'child.pid'), TMPD: tmp };
    const step = (root: string, script: string, timeoutSec = 10): TestStep => ({
      program: '/bin/sh',
      args: ['-c', script],
      env,
      root: path.join(dir, root),
      workdir: 'pkg',
      timeoutSec,
    });
    const steps = [
      step(
        't0',
        'mkdir "$BPFFS/app"; echo map > "$BPFFS/app/pinned_map"; echo m > "$BPFFS/.hidden"; echo "p:kprobes/leftover do_sys_open" > "$TRACEFS/kprobe_events"; mkdir "$TRACEFS/instances/mine"; echo x > "$TMPD/.left"; pwd',
      ),
      step(
        't1',
        'test -z "$(ls -A "$BPFFS")" && ! grep -q . "$TRACEFS/kprobe_events" && test -z "$(ls -A "$TRACEFS/instances")" && test -z "$(ls -A "$TMPD")"',
      ),
      // Its environment's names (what it was started with), on stderr.
      step('t2', 'echo first line; tr "\\0" "\\n" < /proc/$$/environ | cut -d= -f1 | sort | tr "\\n" " " >&2; exit 1'),
      step('t3', 'sleep 30 & echo $! > "$PIDFILE"; echo still here; sleep 30', 1),
    ];
    // pmcell run as the runner, as in the guest (PM_SWEEP 0: not PID 1).
    const runner = `PM_F='@@portmatrix:${TOKEN}' PM_OUTMAX=1048576 PM_DMESGMAX=100 ${cellHelperPath('amd64')}`;
    const script = [
      `frame() { echo "@@portmatrix:${TOKEN} $*"; }`,
      'now() { read -r up _ < /proc/uptime; }',
      'pm_mark() { :; }',
      'pm_sent() { :; }',
      'out=1',
      // The fresh /tmp: each mount logged and standing in for a new tmpfs.
      `mount() { echo mount >> ${mounts}; rm -rf ${tmp}; mkdir -m 1777 ${tmp}; }`,
      `umount() { echo umount >> ${mounts}; }`,
      `PM_BPFFS=${bpffs} PM_TRACEFS=${tracefs} PM_OUT=${out} PM_TMP=${tmp}`,
      // The suite script makes every root and working directory before the tests.
      `mkdir -p ${steps.map((s) => path.join(s.root, s.workdir)).join(' ')}`,
      ...testFunctions([], { runner }),
      ...steps.map((s, i) => testCall(i, s)),
    ].join('\n');
    // As nobody: pmcell run reads (and clears) the kernel log it may read, and the host's is not the test's.
    execFileSync('chown', ['-R', '65534:65534', dir]);
    const console = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', '-c', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const specs: TestSpec[] = steps.map((s, i) => ({
      name: `t${i}`,
      kind: 'exec',
      path: s.program,
      args: s.args,
      env: s.env,
      files: [],
      workdir: s.workdir,
      timeoutSec: s.timeoutSec,
    }));
    const runs = testRuns(specs, parseFrames(console, TOKEN), { consoleTail: '' });
    const results = runs.map((r, i) => decideTest(specs[i]!, r!));
    expect(results.map((t) => [t.name, t.status, t.reason])).toEqual([
      ['t0', 'pass', undefined],
      ['t1', 'pass', undefined],
      ['t2', 'fail', 'exited with code 1'],
      ['t3', 'fail', 'timed out after 1s'],
    ]);
    expect(results[0]!.stdout).toBe(`${path.join(dir, 't0/pkg')}\n`);
    expect(results[3]!.stdout).toBe('still here\n');
    expect(results[3]!.timedOut).toBe(true);
    // Only what the test was given: nothing of the shell's (or vitest's) environment.
    expect(results[2]!.stderr).toBe('BPFFS HOME PATH PIDFILE PORTMATRIX_BTF TMPD TRACEFS ');
    // A new /tmp for t0 and for t1 (t0 left a file), none after t1 left it empty.
    expect(readFileSync(mounts, 'utf8')).toBe('mount\numount\nmount\n');
    // The child the hanging test put in the background went with it.
    const child = Number(readFileSync(env.PIDFILE, 'utf8'));
    expect(running(child)).toBe(false);
  });
});

describe('stepOf and guestFiles', () => {
  it('puts each test in its own root, files under dest, and runs a Go test binary with -test.v=test2json', () => {
    const spec: TestSpec = {
      name: 'suite',
      kind: 'gotest',
      path: '/h/bin/suite-arm64',
      args: ['-test.run', 'TestA'],
      env: { A: '1' },
      files: [
        { src: '/h/testdata/x.elf', dest: 'testdata' },
        { src: '/h/conf.json', dest: '' },
      ],
      workdir: 'pkg',
      timeoutSec: 30,
    };
    expect(stepOf(spec, 2)).toEqual({
      program: '/portmatrix/bin/2/suite-arm64',
      args: ['-test.v=test2json', '-test.run', 'TestA'],
      env: { A: '1' },
      root: '/portmatrix/t/2',
      workdir: 'pkg',
      timeoutSec: 30,
    });
    expect(guestFiles(spec, 2)).toEqual([
      { src: '/h/bin/suite-arm64', guest: '/portmatrix/bin/2/suite-arm64' },
      { src: '/h/testdata/x.elf', guest: '/portmatrix/t/2/testdata/x.elf' },
      { src: '/h/conf.json', guest: '/portmatrix/t/2/conf.json' },
    ]);
    expect(stepOf({ ...spec, kind: 'exec' }, 0).args).toEqual(['-test.run', 'TestA']);
  });
});
