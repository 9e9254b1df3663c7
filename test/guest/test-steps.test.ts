// The per-test shell, executed by the host's sh against a scratch bpffs/tracefs
// tree (never the host's own): a test that leaves a pin, a kprobe event and a
// tracing instance does not leave them to the next; a hanging test is killed with
// everything it started and keeps the line it printed; frames parse back per test.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestSpec } from '../../src/core/cell.js';
import { parseFrames } from '../../src/guest/frames.js';
import { testKlogLines } from '../../src/guest/suite-script.js';
import { guestFiles, stepOf, testCall, testFunctions, type TestStep } from '../../src/guest/test-steps.js';
import { decideTest } from '../../src/outcome/test-outcome.js';
import { testRuns } from '../../src/outcome/test-runs.js';

const TOKEN = 'feedfacefeedface';
const dir = mkdtempSync(path.join(tmpdir(), 'pm-steps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
    const step = (root: string, script: string, timeoutSec = 10): TestStep => ({ program: '/bin/sh', args: ['-c', script], env, root: path.join(dir, root), workdir: 'pkg', timeoutSec });
    const steps = [
      step('t0', 'mkdir "$BPFFS/app"; echo map > "$BPFFS/app/pinned_map"; echo m > "$BPFFS/.hidden"; echo "p:kprobes/leftover do_sys_open" > "$TRACEFS/kprobe_events"; mkdir "$TRACEFS/instances/mine"; echo x > "$TMPD/.left"; pwd'),
      step('t1', 'test -z "$(ls -A "$BPFFS")" && ! grep -q . "$TRACEFS/kprobe_events" && test -z "$(ls -A "$TRACEFS/instances")" && test -z "$(ls -A "$TMPD")"'),
      // Its environment's names (what it was started with), on stderr.
      step('t2', 'echo first line; tr "\\0" "\\n" < /proc/$$/environ | cut -d= -f1 | sort | tr "\\n" " " >&2; exit 1'),
      step('t3', 'sleep 30 & echo $! > "$PIDFILE"; echo still here; sleep 30', 1),
    ];
    const script = [
      `frame() { echo "@@portmatrix:${TOKEN} $*"; }`,
      'now() { read -r up _ < /proc/uptime; }',
      'pm_mark() { :; }',
      'pm_test_klog() { : > "$2"; }',
      'pm_sent() { :; }',
      'pm_sleep() { sleep "$1"; }',
      // The fresh /tmp: each mount logged and standing in for a new tmpfs.
      `mount() { echo mount >> ${mounts}; rm -rf ${tmp}; mkdir -m 1777 ${tmp}; }`,
      `umount() { echo umount >> ${mounts}; }`,
      // The size pm_test gives for stdout and stderr must be the file's.
      `send_block() { n=$(wc -c < "$2"); case $1 in dmesg*) ;; *) test "$3" = "$n" || echo "$1: $3 for $n" >> ${path.join(dir, 'sizes')};; esac; frame begin=$1; test "$n" -gt 0 && base64 "$2"; frame end=$1 bytes=$n total=$n; }`,
      'pm_report() { pm_test_klog $1 "$PM_OUT/dmesg.$1"; send_block stdout.$1 "$PM_OUT/stdout.$1" $out_pos; send_block stderr.$1 "$PM_OUT/stderr.$1" $err_pos; send_block dmesg.$1 "$PM_OUT/dmesg.$1"; }',
      `PM_BPFFS=${bpffs} PM_TRACEFS=${tracefs} PM_OUT=${out} PM_TMP=${tmp}`,
      // The suite script makes every root and working directory before the tests.
      `mkdir -p ${steps.map((s) => path.join(s.root, s.workdir)).join(' ')}`,
      ...testFunctions([]),
      ...steps.map((s, i) => testCall(i, s)),
    ].join('\n');
    const console = execFileSync('sh', ['-c', script], { encoding: 'utf8', timeout: 30_000 });
    const specs: TestSpec[] = steps.map((s, i) => ({ name: `t${i}`, kind: 'exec', path: s.program, args: s.args, env: s.env, files: [], workdir: s.workdir, timeoutSec: s.timeoutSec }));
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
    expect(existsSync(path.join(dir, 'sizes'))).toBe(false);
    // A new /tmp for t0 and for t1 (t0 left a file), none after t1 left it empty.
    expect(readFileSync(mounts, 'utf8')).toBe('mount\numount\nmount\n');
    // The child the hanging test put in the background went with it.
    const child = Number(readFileSync(env.PIDFILE, 'utf8'));
    expect(() => process.kill(child, 0)).toThrow();
  });
});

describe('stepOf and guestFiles', () => {
  it('puts each test in its own root, files under dest, and runs a Go test binary with -test.v=test2json', () => {
    const spec: TestSpec = {
      name: 'suite', kind: 'gotest', path: '/h/bin/suite-arm64', args: ['-test.run', 'TestA'], env: { A: '1' },
      files: [{ src: '/h/testdata/x.elf', dest: 'testdata' }, { src: '/h/conf.json', dest: '' }], workdir: 'pkg', timeoutSec: 30,
    };
    expect(stepOf(spec, 2)).toEqual({ program: '/portmatrix/bin/2/suite-arm64', args: ['-test.v=test2json', '-test.run', 'TestA'], env: { A: '1' }, root: '/portmatrix/t/2', workdir: 'pkg', timeoutSec: 30 });
    expect(guestFiles(spec, 2)).toEqual([
      { src: '/h/bin/suite-arm64', guest: '/portmatrix/bin/2/suite-arm64' },
      { src: '/h/testdata/x.elf', guest: '/portmatrix/t/2/testdata/x.elf' },
      { src: '/h/conf.json', guest: '/portmatrix/t/2/conf.json' },
    ]);
    expect(stepOf({ ...spec, kind: 'exec' }, 0).args).toEqual(['-test.run', 'TestA']);
  });
});

describe('the kernel log per test', () => {
  // pm_test_klog against a stand-in dmesg: the read after test 3 cut at its mark.
  const klog = (log: string) => {
    const out = mkdtempSync(path.join(dir, 'klog-'));
    writeFileSync(path.join(out, 'ring'), log);
    const script = [`PM_OUT=${out}`, `dmesg() { cat ${out}/ring; }`, ...testKlogLines(), `pm_test_klog 3 ${out}/dmesg.3`].join('\n');
    execFileSync('sh', ['-c', script]);
    const read = (f: string) => { try { return readFileSync(path.join(out, f), 'utf8'); } catch { return undefined; } };
    return { test: read('dmesg.3'), cell: read('klog') };
  };

  it('keeps what came before the mark (the previous cleanup) out of the test', () => {
    expect(klog('[1.0] from the cleanup\n[1.1] portmatrix: test 3 starts\n[1.2] BUG: oops\n')).toEqual({ test: '[1.2] BUG: oops\n', cell: '[1.0] from the cleanup\n' });
  });

  it('writes nothing when the read is the mark alone', () => {
    expect(klog('[1.1] portmatrix: test 3 starts\n')).toEqual({ test: undefined, cell: undefined });
  });

  it('gives the whole read to the test without a mark', () => {
    expect(klog('[1.0] a\n[1.2] b\n')).toEqual({ test: '[1.0] a\n[1.2] b\n', cell: undefined });
  });
});
