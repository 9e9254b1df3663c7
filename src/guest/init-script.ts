// The start of every cell's script (/portmatrix/cell.sh, suite-script.ts), busybox
// sh text built here: the frame helper, the cell's BTF view, sysctls, the guest
// facts, and who the tests run as.
//
// Frame protocol (one per line; docs/architecture.md, "The guest protocol"):
//   @@portmatrix:<token> phase=<init|loader-start|loader-end|done> t=<guest uptime s>
//   @@portmatrix:<token> fact=<btf|lockdown|jit|uname|uid|capeff> <value...>
//   @@portmatrix:<token> sysctl-error=<key> <message>
//   @@portmatrix:<token> test-start=<i> …, test-end=<i> …, blocks (test-steps.ts)
//
// The token is random per cell and only in cell.sh: not on the kernel command
// line (/proc/cmdline is world-readable), in the base initramfs or a snapshot,
// nor in any environment. cell.sh is mode 0700, so a test running as `user`
// cannot read it. Residual risk: a test running as root (the default) can read
// cell.sh or /proc/1/mem and forge frames; it can only lie about its own result,
// which it controls anyway.
//
// Who runs the tests: root by default; `user` alone goes through busybox su
// (which drops every capability); `capabilities` goes through pmcap
// (vm-images/pmcap), which keeps exactly those for `user`, or for root when
// no user is given (securebits NOROOT: root without the rest).

import { CAPABILITIES } from '../config/capabilities.js';
import { ENV_NAME, isUser, SYSCTL_KEY } from '../core/names.js';
import { UsageError } from '../errors.js';
import { btfInitLines, type GuestBtf } from './btf-init.js';

/** Where the inputs hold the capability helper (initramfs.ts puts it there). */
export const CAP_HELPER_GUEST_PATH = '/portmatrix/pmcap';
/** Where the cell's script lands; the base /init execs it once the inputs are unpacked. */
export const CELL_SCRIPT_GUEST_PATH = '/portmatrix/cell.sh';

export interface InitOptions {
  /** Per-cell random token, 16 hex chars. */
  token: string;
  args: string[];
  env: Record<string, string>;
  timeoutSec: number;
  /** e.g. { 'net.core.bpf_jit_enable': '0' } */
  sysctl: Record<string, string>;
  /** User name or numeric uid the loader runs as; root when absent. */
  user?: string;
  /**
   * Capabilities the loader keeps, lower case without `cap_` (e.g. ['bpf', 'perfmon']);
   * [] keeps none. Runs through the helper at CAP_HELPER_GUEST_PATH. Absent: root has
   * all, `user` has none.
   */
  capabilities?: string[];
  /** Seconds between SIGTERM and SIGKILL when the loader times out; default 2. */
  killGraceSec?: number;
  /** Cap on the dmesg bytes sent back (the tail is kept); default 256 KiB. */
  dmesgMaxBytes?: number;
  /**
   * Cap on the stdout and stderr bytes sent back (the tail is kept: that is where
   * verifier errors are); default 1 MiB. The console is slow under TCG.
   */
  outputMaxBytes?: number;
  /** Hide the kernel's BTF and/or install a file at /sys/kernel/btf/vmlinux (btf-init.ts). */
  btf?: GuestBtf;
}

/** Single-quote for sh: the only character needing care inside '' is ' itself. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function validate(o: InitOptions): void {
  if (!/^[0-9a-f]{8,64}$/.test(o.token)) throw new Error(`frame token must be hex: ${o.token}`);
  for (const k of Object.keys(o.env)) {
    if (!ENV_NAME.test(k)) throw new UsageError(`loader env name ${JSON.stringify(k)} is not a valid variable name (letters, digits, _)`);
  }
  for (const k of Object.keys(o.sysctl)) {
    if (!SYSCTL_KEY.test(k)) throw new UsageError(`sysctl name ${JSON.stringify(k)} is not valid (e.g. net.core.bpf_jit_enable)`);
  }
  if (o.user !== undefined && !isUser(o.user)) {
    throw new UsageError(`user ${JSON.stringify(o.user)} is neither a uid nor a valid user name`);
  }
  for (const c of o.capabilities ?? []) {
    if (!(CAPABILITIES as readonly string[]).includes(c)) throw new UsageError(`unknown capability ${JSON.stringify(c)} (write e.g. bpf, perfmon, sys_admin)`);
  }
  if (!(o.timeoutSec > 0)) throw new UsageError(`loader timeout must be positive, got ${o.timeoutSec}`);
}

/** Shell lines that make sure `user` exists in /etc/passwd (and its group in /etc/group) and set $user to its name. */
function userLines(user: string): string[] {
  const numeric = /^\d+$/.test(user);
  const field = numeric ? 3 : 1;
  // An unknown name gets uid 1001 (portmatrix owns 1000); an unknown uid gets a user named u<uid>.
  const name = numeric ? `u${user}` : user;
  const id = numeric ? user : '1001';
  const q = shQuote(user);
  return [
    `awk -F: -v u=${q} '$${field} == u { f = 1 } END { exit !f }' /etc/passwd || { echo ${shQuote(`${name}:x:${id}:${id}::/tmp:/bin/sh`)} >> /etc/passwd; echo ${shQuote(`${name}:x:${id}:`)} >> /etc/group; }`,
    `user=$(awk -F: -v u=${q} '$${field} == u { print $1; exit }' /etc/passwd)`,
  ];
}

/**
 * The words that run `sh -c <wrapper> ARG0 ARGS...` as the configured user with the
 * configured capabilities; `command(w)` takes the quoted wrapper, ARG0 and ARGS follow.
 */
export function privilegeDrop(o: InitOptions): { setup: string[]; command: (wrapper: string) => string } {
  if (o.capabilities !== undefined) {
    const numbers = o.capabilities.map((c) => (CAPABILITIES as readonly string[]).indexOf(c));
    const setup =
      o.user !== undefined
        ? [
            ...userLines(o.user),
            `uid=$(awk -F: -v u="$user" '$1 == u { print $3; exit }' /etc/passwd)`,
            `gid=$(awk -F: -v u="$user" '$1 == u { print $4; exit }' /etc/passwd)`,
          ]
        : ['uid=0 gid=0'];
    // Numbers, not names: pmcap has no table that could drift from ours.
    const caps = numbers.length ? numbers.join(',') : "''";
    return {
      setup: [`# capabilities: ${o.capabilities.join(',') || '(none)'}`, ...setup],
      command: (w) => `${CAP_HELPER_GUEST_PATH} -uid "$uid" -gid "$gid" -caps ${caps} -- /bin/sh -c ${w}`,
    };
  }
  // Debian's busybox setpriv has no --reuid; su as root needs no password, -p keeps our env -i env.
  // `--` before the user: busybox su reads options anywhere, and a program's own
  // arguments (go test's -test.v=test2json) must not reach it as options.
  if (o.user !== undefined) return { setup: userLines(o.user), command: (w) => `su -p -s /bin/sh -c ${w} -- "$user"` };
  return { setup: [], command: (w) => `sh -c ${w}` };
}

/** The frame helper, the cell's BTF view and limits: the cell's start inside the guest /init prepared. */
export function startLines(o: InitOptions, F: string): string[] {
  return [
    '#!/bin/sh',
    '# Generated by portmatrix (src/guest/suite-script.ts). PID 1 execs it with the kernel interfaces mounted.',
    'export PATH=/bin:/sbin:/usr/bin:/usr/sbin',
    `frame() { echo "${F} $*"; }`,
    // Builtins where a program would do: after a restore every new program costs
    // tens of milliseconds of translation under TCG. /init made /tmp/pm.
    'now() { read -r up _ < /proc/uptime; }',
    'now; frame phase=init t=$up',
    ...btfInitLines(o.btf),
    '# 5.10 kernels charge BPF maps to RLIMIT_MEMLOCK (64 KiB by default).',
    'ulimit -l unlimited',
  ];
}

/**
 * The cell's sysctls, each refusal framed (a suite applies them again between tests,
 * with its own `errFile`: /tmp is then a test's tmpfs).
 */
export function sysctlLines(o: Pick<InitOptions, 'sysctl'>, errFile = '/tmp/pm/err'): string[] {
  return Object.entries(o.sysctl).map(
    ([k, v]) =>
      `if ! echo ${shQuote(v)} 2>${errFile} > /proc/sys/${k.replace(/\./g, '/')}; then ` + `frame sysctl-error=${k} "$(tr '\\n' ' ' < ${errFile})"; fi`,
  );
}

/** The cell's sysctls, then the guest facts the report shows. */
export function setupLines(o: InitOptions): string[] {
  return [
    ...sysctlLines(o),
    'if test -e /sys/kernel/btf/vmlinux; then frame fact=btf 1; else frame fact=btf 0; fi',
    // fact FILE NAME: the file's first line, if any. /proc/sys integers read one
    // byte at a time end without a newline, so read's status alone does not tell.
    'fact() { v=; read -r v 2>/dev/null < "$1"; test -n "$v" && frame fact=$2 "$v"; }',
    'fact /sys/kernel/security/lockdown lockdown',
    'fact /proc/sys/net/core/bpf_jit_enable jit',
    'fact /proc/sys/kernel/osrelease uname',
  ];
}

/** Shell for `sh -c`: records who the program really runs as (in `dir`), then execs it in place. */
export const credentialsWrapper = (dir: string) => `id -u > ${dir}/uid; grep CapEff /proc/self/status > ${dir}/capeff; exec "$@"`;

/** Frames the credentials credentialsWrapper recorded in `dir`. */
export const credentialFacts = (dir: string) => [
  `fact ${dir}/uid uid`,
  // `CapEff:<tab>value`: the value only.
  `v=; read -r _ v 2>/dev/null < ${dir}/capeff; test -n "$v" && frame fact=capeff "$v"`,
];
