// /portmatrix/cell.sh for a cell that runs a list of tests in one guest (the
// one-program form is init-script.ts cellScript). The same start as a loader
// cell (frames, BTF view, sysctls, facts, who the tests run as), then each test
// through the per-test shell of test-steps.ts, each test's blocks sent as soon as
// it ends and acknowledged by the host, so a test that panics the kernel later
// takes nothing already reported with it.
//
// `tests` may be a tail of the cell's list: after a guest died, the host boots
// again and runs the tests after the one that killed it. Indexes stay the cell's.

// Where the per-test files go; the credentials directory is writable by the test's user (base-init.ts makes both).
import { CELL_HELPER_GUEST_PATH, SUITE_CREDS as CREDS, SUITE_OUT as OUT, SUITE_SLEEP_FIFO } from './base-init.js';
import { OUTPUT_DONE_MARKER } from './inputs.js';
import {
  credentialFacts,
  credentialsWrapper,
  privilegeDrop,
  setupLines,
  shQuote,
  startLines,
  sysctlLines,
  validate,
  type InitOptions,
} from './init-script.js';
import { testCall, testFunctions, type TestStep } from './test-steps.js';

export interface SuiteOptions extends Omit<InitOptions, 'args' | 'env' | 'timeoutSec'> {
  /** The tests this guest runs, by their index in the cell's tests. */
  tests: { index: number; step: TestStep }[];
  /** The base's pmcell has `run`: each test, its end frame and its blocks in one small process (test-steps.ts). */
  pmcellRuns?: boolean;
}

/**
 * pmcell run's environment and path. It streams each test's output as it is written:
 * with `follow.all` (run --verbose) all of it on the console, for the view; else the
 * head (PM_OUTMAX) beside the blocks, kept should the guest die before them.
 */
function runnerWords(o: SuiteOptions, F: string): string {
  const { outMax, dmesgMax } = caps(o);
  return `PM_F=${shQuote(F)} PM_OUTMAX=${outMax} PM_DMESGMAX=${dmesgMax}${o.follow?.all ? ' PM_FOLLOW=1' : ''} ${CELL_HELPER_GUEST_PATH}`;
}

/** The most of each output file (stdout, stderr) and of a kernel log sent back: their tails. */
const caps = (o: SuiteOptions) => ({ outMax: o.outputMaxBytes ?? 1048576, dmesgMax: o.dmesgMaxBytes ?? 262144 });

/** The output side: blocks over the inputs port when open (fd 3), else the console; capped tails. */
function blockLines(o: SuiteOptions): string[] {
  const { outMax, dmesgMax } = caps(o);
  return [
    'if { true >&3; } 2>/dev/null; then out=3; else out=1; fi',
    // send_block NAME FILE [SIZE]: the file's tail (at most its cap), base64, sent and original
    // sizes. SIZE, what the writer's file offset says (pm_test), spares wc when it can be
    // the size: not 0 for a file with data (written through another open, /dev/stdout),
    // and not over the cap, where the exact size says how much was cut.
    'send_block() {',
    `  f=$2; case $1 in dmesg*) max=${dmesgMax};; *) max=${outMax};; esac`,
    '  total=0; test -s $f && { total=${3:-0}; test $total -gt 0 -a $total -le $max || total=$(wc -c < $f); }',
    '  if test $total -gt $max; then tail -c $max $f > $f.sent; f=$f.sent; bytes=$max; else bytes=$total; fi',
    '  { frame begin=$1; test $bytes -gt 0 && base64 $f; frame end=$1 bytes=$bytes total=$total; } >&$out',
    '}',
    // The host acknowledges each marker; the console needs no wait.
    `pm_sent() { test $out = 3 && echo ${OUTPUT_DONE_MARKER} >&3 && read -r -t 10 _ <&3; }`,
    // dmesg -c: each read holds only what came since the previous one.
    'pm_klog() { dmesg -c >> "$1" 2>/dev/null; }',
    `pm_mark() { echo "<7>portmatrix: test $1 starts" 2>/dev/null > /dev/kmsg; }`,
    // pmcell run does the rest of a test itself; the shell (vng: no pmcell) needs these.
    ...(o.pmcellRuns ? [] : shellReportLines()),
  ];
}

/**
 * The shell's report of test I (pm_report I): its kernel log and its three blocks, with
 * dmesg, awk and base64 ($out_pos and $err_pos: the output sizes pm_test saw), and the
 * builtin sleep its watchdog uses: a read from a FIFO nobody writes to.
 */
function shellReportLines(): string[] {
  return [
    ...testKlogLines(),
    'pm_report() {',
    '  pm_test_klog $1 "$PM_OUT/dmesg.$1"',
    '  send_block stdout.$1 "$PM_OUT/stdout.$1" $out_pos',
    '  send_block stderr.$1 "$PM_OUT/stderr.$1" $err_pos',
    '  send_block dmesg.$1 "$PM_OUT/dmesg.$1"',
    '}',
    `pm_sleep() { read -t "$1" _ <> ${SUITE_SLEEP_FIFO}; }`,
  ];
}

// Lines before the mark to the cell's log (at the end: they came first), the rest the test's.
const SPLIT_AWK = 'f { print; next } index($0, m) { f = 1; next } { b = b $0 "\\n" } END { if (f) printf "%s", b >> k; else printf "%s", b }';

/**
 * One kernel-log read per test: a test's start is marked in the kernel log itself
 * (a builtin write to /dev/kmsg, at debug level: not on the console), so the read
 * after the test is cut there, what the cleanup after the previous test logged kept
 * apart. Mostly the read holds the mark alone: nothing to cut, no program for it.
 * Without the mark (writes to /dev/kmsg refused) the whole read is the test's.
 */
export function testKlogLines(): string[] {
  return [
    'pm_test_klog() {',
    '  dmesg -c > "$2.all" 2>/dev/null; test -s "$2.all" || return 0',
    '  if { read -r l1 && ! read -r l2 && test -z "$l2"; } < "$2.all"; then',
    '    case $l1 in *"portmatrix: test $1 starts") return;; esac',
    '  fi',
    `  awk -v m="portmatrix: test $1 starts" -v k="$PM_OUT/klog" '${SPLIT_AWK}' "$2.all" > "$2"`,
    '}',
  ];
}

export function suiteScript(o: SuiteOptions): string {
  validate({ ...o, args: [], env: {}, timeoutSec: 1 });
  for (const { step } of o.tests) validate({ ...o, args: step.args, env: step.env, timeoutSec: step.timeoutSec });
  const F = `@@portmatrix:${o.token}`;
  const drop = privilegeDrop({ ...o, args: [], env: {}, timeoutSec: 1 });
  // The first test records who it runs as (the facts); the others only drop to it, and
  // as root without capabilities there is nothing to drop: no sh in between.
  const firstAs = `${drop.command(shQuote(credentialsWrapper(CREDS)))} test`;
  const runAs = o.user === undefined && o.capabilities === undefined ? '' : `${drop.command(shQuote('exec "$@"'))} test`;
  // Every root and working directory exists once the inputs are unpacked (suite-inputs.ts).
  const roots = [...new Set(o.tests.map(({ step }) => step.root))];
  return [
    ...startLines({ ...o, args: [], env: {}, timeoutSec: 1 }, F),
    ...setupLines({ ...o, args: [], env: {}, timeoutSec: 1 }),
    ...drop.setup,
    `PM_BPFFS=/sys/fs/bpf PM_TRACEFS=/sys/kernel/tracing PM_OUT=${OUT} PM_TMP=/tmp`,
    // The configured user owns the tests' roots: a test may write where it starts.
    ...(o.user !== undefined ? [`chown -R "$user" ${roots.map(shQuote).join(' ')}`] : []),
    ...blockLines(o),
    ...testFunctions(sysctlLines(o, `${OUT}/sysctl.err`), { killGraceSec: o.killGraceSec, runner: o.pmcellRuns ? runnerWords(o, F) : undefined }),
    // What the kernel logged before the first test's mark is the cell's (pm_test_klog), not the test's.
    'now; frame phase=loader-start t=$up',
    ...o.tests.flatMap(({ index, step }, n) => [testCall(index, step, n === 0 ? firstAs : runAs), ...(n === 0 ? credentialFacts(CREDS) : [])]),
    'now; frame phase=loader-end t=$up',
    // The kernel log outside the tests (boot, cleanups): the cell's dmesg with the tests' own.
    `pm_klog ${OUT}/klog`,
    `send_block dmesg ${OUT}/klog`,
    `test $out = 3 && echo ${OUTPUT_DONE_MARKER} >&3 && read -r -t 10 _ <&3`,
    'now; frame phase=done t=$up',
    'poweroff -f',
    '',
  ].join('\n');
}
