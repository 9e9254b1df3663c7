// /portmatrix/cell.sh for `portmatrix shell`: the cell's start exactly as a run's
// (init-script.ts: BTF view, sysctls, the user and capabilities), its tests as
// scripts named after them on PATH, their command lines printed, then a shell on
// the console (or one command) instead of the tests. The shell is root's; each
// test's script drops to the cell's user and capabilities as a run does.

import { type InitOptions, privilegeDrop, setupLines, shQuote, startLines, validate } from './init-script.js';
import type { TestStep } from './test-steps.js';

/** Where the tests' scripts go in the guest (first on the shell's PATH). */
export const TESTS_DIR = '/portmatrix/tests';
/**
 * An alias per test, read by the shell at its start: busybox sh runs its own applets
 * before it searches PATH, so a test named `id` or `ls` would run the applet.
 */
export const ALIASES = `${TESTS_DIR}/.aliases`;

export interface ShellScriptOptions extends Omit<InitOptions, 'args' | 'env' | 'timeoutSec'> {
  cellId: string;
  tests: { name: string; step: TestStep }[];
  /** Run this instead of an interactive shell; its exit code is framed (shell-exit=N). */
  command?: string;
  /** The host terminal's size when the shell starts (a serial console has no way to say it). */
  size?: { rows: number; columns: number };
  /** Frame each kernel log record from the shell's start on (`kmsg <text>`), for the host to show. */
  kernelLog?: boolean;
}

/** Kernel log records that open and close the shell's part of the log (debug level: never on the console). */
const KMSG_FROM = 'portmatrix: the shell starts';
const KMSG_TO = 'portmatrix: the shell ended';
const KMSG_STOP = 'portmatrix: the kernel log follower stops';

/**
 * A follower of /dev/kmsg in the background, from the shell's start: /dev/kmsg gives one record
 * a read() (cat reads so; the shell's read would take bytes and fail), from the oldest kept,
 * each `pri,seq,time,flags;text`, continuation lines starting with a space. Records go out
 * through the shell's printf, unbuffered. Busybox's `wait` waits for the whole job, and cat
 * on /dev/kmsg never ends by itself: at the end the loop closes the pipe and logs one more
 * record, so cat's next write kills it.
 */
function kernelLogStart(F: string): string[] {
  const skip = `while IFS= read -r r; do case $r in *';${KMSG_FROM}') break;; esac; done`;
  const frame = `printf '${F} kmsg %s\\n' "\${r#*;}"`;
  const show = `while IFS= read -r r; do case $r in ' '*) ;; *';${KMSG_TO}') break;; *) ${frame};; esac; done`;
  const stop = `exec 0<&-; echo '<7>${KMSG_STOP}' > /dev/kmsg`;
  return [`echo '<7>${KMSG_FROM}' > /dev/kmsg`, `cat /dev/kmsg | { ${skip}; ${show}; ${stop}; } &`, 'pm_klog=$!'];
}

/** The follower drained to the shell's end before the exit code is framed: no kernel line after it. */
const kernelLogEnd = [`echo '<7>${KMSG_TO}' > /dev/kmsg`, 'wait $pm_klog'];

/** A test's name as a file name: no slash, no leading dot or dash. */
export const scriptName = (name: string) => name.replace(/[^A-Za-z0-9._+-]/g, '_').replace(/^[.-]/, '_');

/** The test's command line as the guest runs it: its directory, environment only, the cell's user. */
export function testCommand(step: TestStep, runAs: string): string {
  const env = Object.entries(step.env)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => shQuote(`${k}=${v}`));
  const dir = step.workdir ? `${step.root}/${step.workdir}` : step.root;
  const words = ['env -i PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/tmp "PORTMATRIX_BTF=$PORTMATRIX_BTF"', ...env, runAs];
  const program = [shQuote(step.program), ...step.args.map(shQuote)].join(' ');
  return `cd ${shQuote(dir)} && ${words.filter(Boolean).join(' ')} ${program} "$@"`;
}

const FIXED = `"PORTMATRIX_BTF='$PORTMATRIX_BTF' user='$user' uid='$uid' gid='$gid'"`;

/** Writes each test's script and prints what it runs. */
function testLines(o: ShellScriptOptions, runAs: string): string[] {
  return o.tests.flatMap(({ name, step }) => {
    const file = `${TESTS_DIR}/${scriptName(name)}`;
    const command = testCommand(step, runAs);
    return [
      // The BTF path (btf-init.ts) and who the tests run as (privilegeDrop): fixed as this shell has them.
      `printf '%s\\n' '#!/bin/sh' ${FIXED} ${shQuote(command)} > ${file}`,
      `chmod 755 ${file}`,
      `echo ${shQuote(`alias ${shQuote(scriptName(name))}=${file}`)} >> ${ALIASES}`,
      `echo ${shQuote(`  ${scriptName(name)}: ${step.program} ${step.args.join(' ')}`.trimEnd())}`,
    ];
  });
}

/** The shell, or the command, with its exit code framed for the host. */
function shellLines(o: ShellScriptOptions, F: string): string[] {
  const [start, end] = o.kernelLog ? [kernelLogStart(F), kernelLogEnd] : [[], []];
  const exit = ['pm_exit=$?', ...end, 'frame shell-exit=$pm_exit'];
  // An alias counts from the line after the one defining it: the command follows the aliases' line.
  if (o.command !== undefined) return [...start, `sh -c ${shQuote(`. ${ALIASES}\n${o.command}`)}`, ...exit];
  // cttyhack makes the console the shell's controlling terminal: Ctrl-C reaches what runs in it.
  const size = o.size ? [`stty rows ${o.size.rows} cols ${o.size.columns} 2>/dev/null`] : [];
  return [
    ...size,
    "echo 'type a test name to run it; exit (or Ctrl-] on the host) stops the VM'",
    ...start,
    'if command -v cttyhack >/dev/null; then setsid cttyhack sh -i; else sh -i; fi',
    ...exit,
  ];
}

export function shellScript(o: ShellScriptOptions): string {
  const init = { ...o, args: [], env: {}, timeoutSec: 1 };
  validate(init);
  for (const { step } of o.tests) validate({ ...init, args: step.args, env: step.env, timeoutSec: step.timeoutSec });
  const F = `@@portmatrix:${o.token}`;
  const drop = privilegeDrop(init);
  const asRoot = o.user === undefined && o.capabilities === undefined;
  const runAs = asRoot ? '' : `${drop.command(shQuote('exec "$@"'))} test`;
  const roots = [...new Set(o.tests.map(({ step }) => step.root))];
  return [
    ...startLines(init, F),
    ...setupLines(init),
    ...drop.setup,
    // The configured user owns the tests' roots: a test may write where it starts.
    ...(o.user !== undefined ? [`chown -R "$user" ${roots.map(shQuote).join(' ')}`] : []),
    `mkdir -p ${TESTS_DIR}`,
    `export PATH=${TESTS_DIR}:$PATH HOME=/tmp ENV=${ALIASES}`,
    `: > ${ALIASES}`,
    'cd /tmp',
    'frame phase=shell',
    `echo ${shQuote(`portmatrix shell: ${o.cellId}`)} "(kernel $(uname -r))"`,
    `echo 'tests (run by name):'`,
    ...testLines(o, runAs),
    ...shellLines(o, F),
    'frame phase=done',
    'poweroff -f',
    '',
  ].join('\n');
}
