// The shell that runs a cell's tests one after another in one guest (pure text).
// Each test: its own root directory and working directory, its own session and
// process group (setsid), a fresh tmpfs on /tmp, stdout/stderr to files, a watchdog
// that kills the whole group at the timeout; after it, everything left of the group
// (and, as PID 1, every other process) is killed, its output and its part of the
// kernel log are sent framed (test-start/test-end, blocks stdout.<i>, stderr.<i>,
// dmesg.<i>), and the BPF state a test can leave is removed: pins under bpffs,
// kprobe and uprobe events, tracing instances; then the cell's sysctls are applied again.
//
// The guest's sh is busybox: builtins (echo, read, test, kill, globs, `: > f`) cost
// nothing, while each fork costs milliseconds under TCG and each exec of an applet
// more. So what can be checked with a builtin is checked first, and the program runs
// only when there is work: bpffs, the probe event lists and /tmp are looked at with
// globs and `read`, and stay untouched when the test left them empty. Per test that
// leaves no state, what remains is one `pmcell run` (the test's process, its timeout,
// the kills, its end frame and its report, in one small program: vm-images/pmcell).
//
// Paths come from variables so the same text runs against a scratch tree in tests:
//   PM_BPFFS (/sys/fs/bpf)  PM_TRACEFS (/sys/kernel/tracing)  PM_OUT (where output files go)
//   PM_TMP (/tmp in the guest; unset: no fresh tmpfs)
// The caller defines `frame`, `now` (sets $up), $out (the descriptor blocks go to),
// `pm_sent` (waits until the host has the blocks) and `pm_mark I` (marks test I's start
// in the kernel log).

import path from 'node:path';
import type { TestSpec } from '../core/cell.js';
import { shQuote } from './init-script.js';

export interface TestStep {
  /** Guest path of the program. */
  program: string;
  args: string[];
  env: Record<string, string>;
  /** The test's root, and the directory under it it starts in (both made before the tests run). */
  root: string;
  workdir: string;
  timeoutSec: number;
}

/** pm_any DIR: whether DIR has any entry, dot names included (globs, no program). */
const anyLines = ['pm_any() {', '  for p in "$1"/* "$1"/.[!.]* "$1"/..?*; do test -e "$p" -o -L "$p" && return 0; done', '  return 1', '}'];

/**
 * pm_tmp: a fresh tmpfs on PM_TMP for the next test. The previous test's stays when
 * that test left it empty and sticky (as it was mounted): only then is it as fresh.
 */
const tmpLines = [
  'pm_tmp() {',
  '  test -n "$PM_TMP" || return 0',
  '  if test -n "$pm_tmp_up"; then',
  '    test -k "$PM_TMP" && ! pm_any "$PM_TMP" && return 0',
  '    umount -l "$PM_TMP"',
  '  fi',
  '  mount -t tmpfs -o mode=1777 tmpfs "$PM_TMP" && pm_tmp_up=1',
  '}',
];

/**
 * A test's environment is only what pm_test exports for it, as env -i gave it but with
 * no program: this shell's own exported variables (what init was given, SHLVL) are
 * unset once, but PATH, which the shell needs and every test gets the same, and
 * PORTMATRIX_BTF, which every test gets as this shell has it.
 */
const envLines = [
  // Through a file and read: a pipe to sed costs a fork and the first run of sed.
  'export -p > "$PM_OUT/env"',
  'while read -r w v; do test "$w" = export || continue; v=${v%%=*}',
  '  case $v in PATH|PORTMATRIX_BTF) ;; *) unset "$v" 2>/dev/null;; esac',
  'done < "$PM_OUT/env"',
  // As PID 1 (the guest) everything but us is killed after each test (pmcell run: PM_SWEEP).
  'pm_sweep=0; test $$ = 1 && pm_sweep=1',
];

/** pm_clean: the BPF state a test can leave, then the cell's sysctls again. */
function cleanLines(sysctlLines: readonly string[]): string[] {
  return [
    'pm_clean() {',
    '  # Pins and directories under bpffs, deepest first; find only when there is any.',
    '  pm_any "$PM_BPFFS" && find "$PM_BPFFS" -mindepth 1 -depth 2>/dev/null | while read -r p; do rm -rf "$p" 2>/dev/null; done',
    '  for kind in kprobe uprobe; do',
    // An empty list (its first line) needs nothing: no event to disable or remove.
    '    l=; read -r l 2>/dev/null < "$PM_TRACEFS/${kind}_events"; test -n "$l" || continue',
    // An enabled event cannot be removed: disable first.
    '    test -e "$PM_TRACEFS/events/${kind}s/enable" && echo 0 > "$PM_TRACEFS/events/${kind}s/enable" 2>/dev/null',
    '    : > "$PM_TRACEFS/${kind}_events" 2>/dev/null',
    '  done',
    '  for d in "$PM_TRACEFS"/instances/*; do test -d "$d" && rmdir "$d" 2>/dev/null; done',
    ...sysctlLines.map((l) => `  ${l}`),
    '  :',
    '}',
  ];
}

export interface TestRunOptions {
  /** Seconds between SIGTERM and SIGKILL at a test's timeout; default 2. */
  killGraceSec?: number;
  /** The words that start `pmcell run` (its environment and path; vm-images/pmcell). */
  runner: string;
}

/** Shell functions shared by every test of the cell; `sysctlLines` re-apply the config's sysctls. */
export function testFunctions(sysctlLines: readonly string[], o: TestRunOptions): string[] {
  const grace = o.killGraceSec ?? 2;
  return [
    ...anyLines,
    ...tmpLines,
    ...cleanLines(sysctlLines),
    ...envLines,
    // pm_test INDEX TIMEOUT DIR VAR=VALUE... -- PROGRAM ARGS...: run one test, frame its outcome and output.
    // Its output files are new: every guest boots with an empty PM_OUT.
    'pm_test() {',
    '  i=$1; to=$2; dir=$3; shift 3',
    '  pm_tmp',
    // What the kernel logs from here on is this test's (pm_test_klog cuts there).
    '  pm_mark $i',
    '  now; frame test-start=$i t=$up',
    // pmcell run: the test, its end frame and its blocks in one process.
    `  PM_OUT="$PM_OUT" PM_SWEEP=$pm_sweep ${o.runner} run $i $to ${grace} $out "$dir" "$@"`,
    // A panic in the next test (or in this cleanup) must not take this one's output with it.
    '  pm_sent',
    '  pm_clean',
    '}',
  ];
}

/**
 * The call that runs test `index`, with its environment only (pm_test exports it). `runAs`: the
 * words between the environment and the program that drop privileges (init-script.ts
 * privilegeDrop: `su … -c WRAPPER -- USER NAME`), none for root.
 */
export function testCall(index: number, s: TestStep, runAs = ''): string {
  const env = Object.entries(s.env)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => shQuote(`${k}=${v}`));
  const dir = s.workdir ? `${s.root}/${s.workdir}` : s.root;
  return `pm_test ${index} ${s.timeoutSec} ${shQuote(dir)} PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/tmp "PORTMATRIX_BTF=$PORTMATRIX_BTF" ${[...env, '--', runAs].filter(Boolean).join(' ')} ${shQuote(s.program)} ${s.args.map(shQuote).join(' ')}`.trimEnd();
}

/** Where test `index` lives in the guest: its program apart from its root, so no file of the test can replace it. */
export const testRoot = (index: number) => `/portmatrix/t/${index}`;
// Under its own name: comm, argv[0] and Go's test binary name stay what the user built.
export const testProgram = (index: number, hostPath: string) => `/portmatrix/bin/${index}/${path.basename(hostPath)}`;

/** A TestSpec as the guest runs it: a Go test binary gets `-test.v=test2json` before the test's own args. */
export function stepOf(spec: TestSpec, index: number): TestStep {
  return {
    program: testProgram(index, spec.path),
    args: spec.kind === 'gotest' ? ['-test.v=test2json', ...spec.args] : [...spec.args],
    env: { ...spec.env },
    root: testRoot(index),
    workdir: spec.workdir,
    timeoutSec: spec.timeoutSec,
  };
}

/** Host file → guest path for every file of test `index` (`dest` under its root, names kept). */
export function guestFiles(spec: TestSpec, index: number): { src: string; guest: string }[] {
  return [
    { src: spec.path, guest: testProgram(index, spec.path) },
    ...spec.files.map((f) => ({ src: f.src, guest: path.posix.join(testRoot(index), f.dest, path.basename(f.src)) })),
  ];
}
