// /portmatrix/cell.sh: a cell's list of tests in one guest (a `loader:` matrix's
// list has one). Its start (frames, BTF view, sysctls, facts, who the tests run as)
// is init-script.ts's, then each test through the per-test shell of test-steps.ts
// and `pmcell run`, each test's blocks sent as soon as it ends and acknowledged by
// the host, so a test that panics the kernel later takes nothing already reported with it.
//
// `tests` may be a tail of the cell's list: after a guest died, the host boots
// again and runs the tests after the one that killed it. Indexes stay the cell's.

// Where the per-test files go; the credentials directory is writable by the test's user (base-init.ts makes both).
import { CELL_HELPER_GUEST_PATH, SUITE_CREDS as CREDS, SUITE_OUT as OUT } from './base-init.js';
import { credentialFacts, credentialsWrapper, type InitOptions, privilegeDrop, setupLines, shQuote, startLines, sysctlLines, validate } from './init-script.js';
import { OUTPUT_DONE_MARKER } from './inputs.js';
import { type TestStep, testCall, testFunctions } from './test-steps.js';

export interface SuiteOptions extends Omit<InitOptions, 'args' | 'env' | 'timeoutSec'> {
  /** The tests this guest runs, by their index in the cell's tests. */
  tests: { index: number; step: TestStep }[];
  /**
   * run --verbose: pmcell streams all of each test's output on the console, for the
   * view; else the head (the output cap) beside the blocks, kept should the guest die first.
   */
  follow?: boolean;
}

/**
 * pmcell run's environment and path. It streams each test's output as it is written:
 * with `follow` (run --verbose) all of it on the console, for the view; else the
 * head (PM_OUTMAX) beside the blocks, kept should the guest die before them.
 */
function runnerWords(o: SuiteOptions, F: string): string {
  const { outMax, dmesgMax } = caps(o);
  return `PM_F=${shQuote(F)} PM_OUTMAX=${outMax} PM_DMESGMAX=${dmesgMax}${o.follow ? ' PM_FOLLOW=1' : ''} ${CELL_HELPER_GUEST_PATH}`;
}

/** The most of each output file (stdout, stderr) and of a kernel log sent back: their tails. */
const caps = (o: SuiteOptions) => ({ outMax: o.outputMaxBytes ?? 1048576, dmesgMax: o.dmesgMaxBytes ?? 262144 });

/** The output side: blocks over the inputs port when open (fd 3), else the console; capped tails. */
function blockLines(o: SuiteOptions): string[] {
  const { outMax, dmesgMax } = caps(o);
  return [
    'if { true >&3; } 2>/dev/null; then out=3; else out=1; fi',
    // send_block NAME FILE: the file's tail (at most its cap), base64, sent and original
    // sizes (pmcell run sends each test's blocks itself; this is the cell's kernel log).
    'send_block() {',
    `  f=$2; case $1 in dmesg*) max=${dmesgMax};; *) max=${outMax};; esac`,
    '  total=0; test -s $f && total=$(wc -c < $f)',
    '  if test $total -gt $max; then tail -c $max $f > $f.sent; f=$f.sent; bytes=$max; else bytes=$total; fi',
    '  { frame begin=$1; test $bytes -gt 0 && base64 $f; frame end=$1 bytes=$bytes total=$total; } >&$out',
    '}',
    // The host acknowledges each marker; the console needs no wait.
    `pm_sent() { test $out = 3 && echo ${OUTPUT_DONE_MARKER} >&3 && read -r -t 10 _ <&3; }`,
    // dmesg -c: each read holds only what came since the previous one.
    'pm_klog() { dmesg -c >> "$1" 2>/dev/null; }',
    `pm_mark() { echo "<7>portmatrix: test $1 starts" 2>/dev/null > /dev/kmsg; }`,
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
    ...testFunctions(sysctlLines(o, `${OUT}/sysctl.err`), { killGraceSec: o.killGraceSec, runner: runnerWords(o, F) }),
    // What the kernel logged before the first test's mark is the cell's (pmcell run), not the test's.
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
