// A realistic results model with every status, a hostile cell and real loader
// messages (docs/facts.md: CO-RE relocation, no BTF, memlock), shared by report tests.

import { withVerdict } from '../../src/outcome/run-verdict.js';
import type { CellResult, RunResults } from '../../src/results/model.js';
import { upgradeCell } from '../../src/results/tests.js';
import { runResults } from '../helpers/cells.js';

const QEMU = '7.2.19 (Debian 1:7.2+dfsg-7+deb12u16)';

const BOOT_LOG = (release: string, arch: string) =>
  [
    `[    0.000000] Linux version ${release} (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian`,
    `[    0.000000] Command line: console=${arch === 'arm64' ? 'ttyAMA0' : 'ttyS0'} panic=-1 portmatrix.token=3f9a`,
    '[    1.412093] Freeing unused kernel image (initmem) memory: 2948K',
    '[    1.431552] Run /init as init process',
  ].join('\n');

const PASS_OUT = (prefix: string) =>
  `${[
    'execsnoop: removed memlock rlimit',
    'execsnoop: loaded 1 program, 2 maps (ringbuf events, array config)',
    `execsnoop: attached kprobe ${prefix}_sys_execve`,
    'execsnoop: running /bin/true',
    'event: pid=57 uid=0 comm=sh filename=/bin/true',
    'execsnoop: ok, kprobe fired with the expected filename',
  ].join('\n')}\n`;

function cell(partial: Partial<CellResult> & Pick<CellResult, 'id' | 'status'>): CellResult {
  const [arch, kernelName, config] = partial.id.split('/') as [CellResult['arch'], string, string];
  const suite = kernelName.replace('debian-', '');
  const release = { bullseye: '5.10.0-35', bookworm: '6.1.0-37', trixie: '6.12.38+deb13' }[suite] ?? '6.1.0-37';
  const rel = `${release}-${arch}`;
  const prefix = { amd64: '__x64', arm64: '__arm64', s390x: '__s390x' }[arch];
  return upgradeCell({
    arch,
    kernel: {
      source: `debian:${suite}`,
      name: kernelName,
      release: rel,
      package: `linux-image-${rel}`,
      version: `${release.split('-')[0]}-1`,
      sha256: 'a3f1c9e2b7d4058e6f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70',
      facts: {
        btf: !(suite === 'bookworm' && arch === 's390x'),
        hz: 250,
        bpfJit: arch !== 's390x',
        kprobes: true,
        bpfLsm: true,
        lockdownLsm: true,
        preempt: 'dynamic',
      },
    },
    config,
    libc: 'static',
    accel: 'tcg',
    backend: 'qemu',
    timings: { bootMs: 3400, loaderMs: 1100, totalMs: 4900 },
    exitCode: 0,
    timedOut: false,
    bootFailed: false,
    attempts: 1,
    stdout: PASS_OUT(prefix),
    stderr: '',
    dmesg: '',
    consoleTail: partial.status === 'pass' ? '' : BOOT_LOG(rel, arch),
    guest: {
      btfPresent: !(suite === 'bookworm' && arch === 's390x'),
      lockdown: 'none',
      jitEnabled: arch === 's390x' ? '0' : '1',
      uid: 0,
      capEff: '000001ffffffffff',
      unameR: rel,
    },
    qemuVersion: QEMU,
    inputsHash: `sha256:${partial.id.length.toString(16).padStart(4, '0')}e2d9c1b0a7f6e5d4c3b2a1908f7e6d5c4b3a2918`,
    consoleLog: `console/${partial.id.replaceAll('/', '__')}.log`,
    startedAt: '2025-06-01T10:00:00.000Z',
    ...partial,
  });
}

/** Guest output written to break every report format it lands in. */
export const HOSTILE_STDOUT = [
  'execsnoop: loading objects',
  '<script>window.__pwned=1</script>',
  '<img src=x onerror="window.__pwned=2">',
  '</details></pre></code></td></tr></table>',
  '::error::injected annotation',
  '::stop-commands::x',
  '\x1b[31mred text\x1b[0m and \x1b]0;title\x07 and \x1b[2J',
  'ctrl:\x00\x01\x07\x08\x0b\x0c\x7f\x9b end',
  'lone surrogate: \ud800 and U+FFFE: \ufffe',
  '```',
  '| a | b | @octocat #1 **bold** [link](javascript:alert(1))',
  '</script><script>window.__pwned=4</script>',
].join('\r\n');

/** A cell that ran a second test after its loader (schema 2). */
function multiTest(c: CellResult, extra: CellResult['tests'][number]): CellResult {
  return { ...c, tests: [...c.tests, extra] };
}

export function fixtureResults(): RunResults {
  const cells: CellResult[] = [
    cell({
      id: 'amd64/debian-bullseye/default',
      status: 'fail',
      reason: 'memlock limit too low (call rlimit.RemoveMemlock)',
      exitCode: 1,
      timings: { bootMs: 3100, loaderMs: 420, totalMs: 4000 },
      stdout: 'execsnoop: loading objects\n',
      stderr: 'load objects: field ExecveEnter: map create: operation not permitted (MEMLOCK may be too low, consider rlimit.RemoveMemlock)\n',
    }),
    cell({
      id: 'arm64/debian-bullseye/default',
      status: 'xfail',
      reason: 'memlock limit too low (call rlimit.RemoveMemlock)',
      expected: { result: 'fail', reason: '5.10 charges maps to RLIMIT_MEMLOCK' },
      stdout: 'execsnoop: loading objects\n',
      exitCode: 1,
      timings: { bootMs: 2600, loaderMs: 500, totalMs: 3500 },
      stderr: 'load objects: map create: operation not permitted (MEMLOCK may be too low, consider rlimit.RemoveMemlock)\n',
    }),
    cell({
      id: 's390x/debian-bullseye/default',
      status: 'skip',
      reason: 'debian:bullseye has no s390x kernel',
      timings: { totalMs: 0 },
      exitCode: undefined,
      stdout: '',
      consoleTail: '',
      accel: undefined,
      qemuVersion: undefined,
      guest: undefined,
    }),
    cell({
      id: 'amd64/debian-bookworm/default',
      status: 'pass',
      timings: { bootMs: 3500, loaderMs: 610, totalMs: 4600 },
    }),
    cell({
      id: 'arm64/debian-bookworm/default',
      status: 'pass',
      timings: { bootMs: 2500, loaderMs: 700, totalMs: 3300 },
    }),
    multiTest(
      cell({
        id: 's390x/debian-bookworm/default',
        status: 'fail',
        reason: 'no kernel BTF (/sys/kernel/btf/vmlinux missing)',
        exitCode: 1,
        timings: { bootMs: 3200, loaderMs: 2900, totalMs: 6600 },
        stdout: 'execsnoop: loading objects\n',
        stderr: 'load objects: no BTF found for kernel version 6.1.0-37-s390x: not supported\n',
      }),
      {
        name: 'suite',
        kind: 'gotest',
        status: 'fail',
        reason: 'TestCORE/task_state failed',
        exitCode: 1,
        timedOut: false,
        timings: { ms: 1500 },
        stdout: '--- FAIL: TestCORE/task_state (0.02s)\n',
        stderr: '',
        kernelLog: '',
        cases: [
          { name: 'TestAttach', status: 'pass', elapsedMs: 300, output: '' },
          {
            name: 'TestCORE/task_state',
            status: 'fail',
            elapsedMs: 20,
            output: 'execsnoop_test.go:77: no BTF for CO-RE <b>\n',
          },
        ],
      },
    ),
    cell({
      id: 'amd64/debian-bookworm/lockdown',
      status: 'fail',
      reason: "verifier rejected: <b>R1</b> | invalid mem access 'scalar' </script><script>window.__pwned=3</script>",
      exitCode: 2,
      timings: { bootMs: 3600, loaderMs: 900, totalMs: 4700 },
      stdout: HOSTILE_STDOUT,
      stderr: 'load program: permission denied\n\x1b[1;31mERROR\x1b[0m </pre><script>window.__pwned=5</script>\n',
      dmesg: '[    2.201] Lockdown: execsnoop: use of bpf to read kernel RAM is restricted; see man kernel_lockdown.7\n',
      guest: {
        btfPresent: true,
        lockdown: 'confidentiality',
        jitEnabled: '1',
        uid: 0,
        capEff: '000001ffffffffff',
        unameR: '6.1.0-37-amd64',
      },
    }),
    multiTest(
      cell({
        id: 'amd64/debian-trixie/default',
        status: 'pass',
        timings: { bootMs: 3400, loaderMs: 600, totalMs: 4500 },
      }),
      {
        name: 'suite',
        kind: 'gotest',
        status: 'pass',
        exitCode: 0,
        timedOut: false,
        timings: { ms: 900 },
        stdout: '=== RUN   TestAttach\n--- PASS: TestAttach (0.31s)\n',
        stderr: '',
        kernelLog: '',
        cases: [
          { name: 'TestAttach', status: 'pass', elapsedMs: 310, output: '' },
          {
            name: 'TestRingbuf',
            status: 'skip',
            elapsedMs: 0,
            output: 'execsnoop_test.go:41: no ring buffer before 5.8\n',
            skipMessage: 'no ring buffer before 5.8',
          },
          { name: 'TestCORE/task_state', status: 'pass', elapsedMs: 120, output: '' },
        ],
      },
    ),
    cell({
      id: 'amd64/debian-trixie/lockdown',
      status: 'fail',
      reason: 'CO-RE relocation failed: task_struct.state (renamed __state in 5.14)',
      exitCode: 1,
      timings: { bootMs: 3300, loaderMs: 800, totalMs: 4400 },
      stdout: 'execsnoop: loading objects\n',
      stderr:
        'load objects: field TraceExecve: program trace_execve: load program: bad CO-RE relocation: invalid func unknown#195896080 (14 line(s) omitted)\n' +
        '0: R1=ctx() R10=fp0\n; int trace_execve(struct pt_regs *ctx) {\n0: (bf) r6 = r1\n1: (85) call unknown#195896080\ninvalid func unknown#195896080\n',
    }),
    cell({
      id: 'arm64/debian-trixie/default',
      status: 'infra',
      reason: 'guest timed out before the loader started (60 s)',
      exitCode: undefined,
      timedOut: true,
      bootFailed: true,
      attempts: 2,
      timings: { bootMs: undefined, loaderMs: undefined, totalMs: 60200 },
      stdout: '',
      consoleTail:
        '[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x000f0510]\n[    0.000000] Linux version 6.12.38+deb13-arm64\n[    0.812345] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n',
    }),
    cell({
      id: 's390x/debian-trixie/default',
      status: 'xpass',
      expected: { result: 'fail', reason: 'pt_regs layout differs on s390x' },
      timings: { bootMs: 3100, loaderMs: 5200, totalMs: 9100 },
    }),
  ];
  // Without a verdict, as an older results.json: fixtureRun records one.
  const times = { startedAt: '2025-06-01T10:00:00.000Z', finishedAt: '2025-06-01T10:02:10.000Z' };
  return runResults(cells, { ...times, verdict: undefined });
}

/** The fixture as `run` records it: with the verdict outcome/ decides (views word it). */
export function fixtureRun(opts: { strict?: boolean } = {}): RunResults {
  return withVerdict(fixtureResults(), opts);
}

/** The same run split into shards the way `--shard i/n` would, with their own timestamps. */
export function fixtureShards(n: number): RunResults[] {
  const all = fixtureResults();
  return Array.from({ length: n }, (_, i) => ({
    ...all,
    startedAt: `2025-06-01T10:0${i}:00.000Z`,
    finishedAt: `2025-06-01T10:0${i}:59.000Z`,
    cells: all.cells.filter((_, j) => j % n === i),
  }));
}
