// Real boots under TCG: a Debian 6.12 kernel per arch, our base initramfs and
// /init, the cell's inputs over the virtio-serial port, a shell-script loader as a
// cell's one test (what `loader:` means), run by pmcell. Kernels and busyboxes come from test/helpers/dev-kernels.ts
// (downloaded once, cached). Needs qemu-system-x86, qemu-system-arm, qemu-system-misc.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Arch } from '../../src/core/arch.js';
import type { TestSpec } from '../../src/core/cell.js';
import { baseInit } from '../../src/guest/base-init.js';
import { FrameParser, type GuestReport } from '../../src/guest/frames.js';
import { buildBaseInitramfs, cellHelperPath } from '../../src/guest/initramfs.js';
import { inputsStream } from '../../src/guest/inputs.js';
import { suiteInputEntries } from '../../src/guest/suite-inputs.js';
import { type SuiteOptions, suiteScript } from '../../src/guest/suite-script.js';
import { stepOf } from '../../src/guest/test-steps.js';
import type { VmExit } from '../../src/vm/process.js';
import { bootCell } from '../../src/vm/snapshot-boot.js';
import { devBusybox, devImages, devKernel } from '../helpers/dev-kernels.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pm-boot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Downloads (~35 MB a kernel) happen once, in the hook, not inside a boot's timeout.
beforeAll(() => devImages());

const LOADER = `#!/bin/sh
echo hello
for a in "$@"; do printf '<%s>' "$a"; done; echo
echo "FOO=$FOO"
echo "uid=$(id -u) cwd=$(pwd)"
echo "system=$(hostname) $(grep -c ' /sys/fs/cgroup cgroup2 ' /proc/mounts)$(test -d /run && test -d /dev/shm && test -e /dev/pts/ptmx && test -e /dev/fd/1 && echo y) $(cat /sys/class/net/lo/operstate)"
sub=$(cat /sys/fs/cgroup/cgroup.subtree_control); test -n "$sub" && test "$sub" = "$(cat /sys/fs/cgroup/cgroup.controllers)" && echo "cgroup controllers for children: all"
echo oops >&2
exit 3
`;
// A leading dash too: busybox su (the arm64 run) must not take the loader's arguments as its options.
const ARGS = ["it's", 'a b', '$(poweroff -f)', '`reboot`', '', '-test.v=test2json'];

type Init = Omit<SuiteOptions, 'token' | 'tests'> & Pick<TestSpec, 'args' | 'env' | 'timeoutSec'>;

async function boot(arch: Arch, init: Init, loaderText = LOADER): Promise<{ report: GuestReport; exit: VmExit; wallMs: number }> {
  const loader = path.join(dir, `loader-${arch}.sh`);
  writeFileSync(loader, loaderText);
  chmodSync(loader, 0o755);
  const token = 'feedc0de12345678';
  const [kernel, busybox] = await Promise.all([devKernel(arch), devBusybox(arch)]);
  const initrd = path.join(dir, `initrd-${arch}.cpio.gz`);
  writeFileSync(initrd, await buildBaseInitramfs({ arch, busybox, init: baseInit(), cellHelper: cellHelperPath(arch) }));
  const { args, env, timeoutSec, ...options } = init;
  const spec: TestSpec = { name: 'loader', kind: 'exec', path: loader, args, env, files: [], workdir: '', timeoutSec };
  const script = suiteScript({ token, ...options, tests: [{ index: 0, step: stepOf(spec, 0) }] });
  const entries = await suiteInputEntries({ arch, tests: [{ index: 0, spec }], script });
  const parser = new FrameParser(token);
  const t0 = Date.now();
  // Generous: TCG on a loaded 2-core host; s390x is the slowest (docs/facts.md).
  const slow = arch === 's390x' ? 2 : 1;
  const {
    exit,
    boot: how,
    error,
  } = await bootCell({
    spec: { arch, accel: 'tcg', kernel, initrd, cmdline: [], memoryMiB: 512, cpus: 1, network: false },
    workDir: dir,
    name: `${arch}-${randomBytes(4).toString('hex')}`,
    inputs: async () => inputsStream(entries, { unixSeconds: Date.now() / 1000, seed: randomBytes(32) }),
    env: process.env,
    consoleLog: path.join(dir, `console-${arch}.log`),
    deadlineMs: 120_000 * slow,
    bootDeadlineMs: 90_000 * slow,
    started: (l) => l.includes(`@@portmatrix:${token} phase=init`),
    onLine: (l) => parser.push(`${l}\n`),
    signal: new AbortController().signal,
  });
  expect({ how, error }).toEqual({ how: 'cold', error: undefined });
  const report = parser.end();
  const wallMs = Date.now() - t0;
  const p = report.phases;
  console.log(
    `${arch}: wall ${wallMs} ms, QEMU → /init ${exit.bootMs} ms; guest uptime init ${p.init} s, loader-start ${p['loader-start']} s, done ${p.done} s`,
  );
  if (exit.code !== 0 || !report.done) console.log(exit.consoleTail);
  return { report, exit, wallMs };
}

describe.each(['amd64', 'arm64', 's390x'] as const)('a real %s boot', (arch) => {
  it('runs the loader with its args and env and reports its exit, output and guest facts', async () => {
    const { report, exit } = await boot(arch, {
      args: ARGS,
      env: { FOO: `x y 'z'` },
      timeoutSec: 60,
      sysctl: { 'net.core.bpf_jit_enable': '1', 'kernel.no_such_knob': '1' },
      // arm64 also proves the `user` option (su to uid 1000).
      user: arch === 'arm64' ? 'portmatrix' : undefined,
    });
    const uid = arch === 'arm64' ? 1000 : 0;
    expect(exit).toMatchObject({ code: 0, timedOut: false, bootTimedOut: false });
    expect(report).toMatchObject({
      loaderStarted: true,
      done: true,
      facts: { btfPresent: true, lockdown: 'none', uid },
    });
    expect(report.tests[0]).toMatchObject({
      ended: true,
      exitCode: 3,
      timedOut: false,
      stdout: `hello\n${ARGS.map((a) => `<${a}>`).join('')}\nFOO=x y 'z'\nuid=${uid} cwd=/portmatrix/t/0\nsystem=portmatrix 1y unknown\ncgroup controllers for children: all\n`,
      stderr: 'oops\n',
    });
    expect(report.facts.unameR).toMatch(new RegExp(`^6\\.12\\..*${arch}$`));
    expect(report.phases['loader-start']).toBeGreaterThan(report.phases.init!);
    // The boot log is on the console; the cell's dmesg starts where the guest became ready.
    expect(readFileSync(path.join(dir, `console-${arch}.log`), 'utf8')).toContain('Linux version 6.12');
    expect(report.dmesg).not.toContain('Linux version');
    // s390x kernels have no BPF JIT (docs/facts.md): its sysctl does not exist there.
    const badSysctls = arch === 's390x' ? /^(kernel\.no_such_knob|net\.core\.bpf_jit_enable): / : /^kernel\.no_such_knob: /;
    // Applied at the start and again after the test (it may have changed them): refused both times.
    expect(report.sysctlErrors.slice(0, arch === 's390x' ? 2 : 1)).toEqual(Array(arch === 's390x' ? 2 : 1).fill(expect.stringMatching(badSysctls)));
    expect(report.truncated).toBeUndefined();
    expect(report.facts.jitEnabled).toBe(arch === 's390x' ? undefined : '1');
  }, 300_000);
});

describe('a real amd64 boot with a hanging loader', () => {
  it('kills the loader at its timeout and reports timedout, sends only the tail of big output, then powers off', async () => {
    const loader = '#!/bin/sh\nhead -c 5000 /dev/zero | tr "\\0" x\necho started\ntrap "" TERM\nsleep 300\n';
    const { report, exit } = await boot('amd64', { args: [], env: {}, timeoutSec: 2, sysctl: {}, outputMaxBytes: 100 }, loader);
    expect(exit).toMatchObject({ code: 0, timedOut: false });
    // SIGTERM is trapped, so the watchdog's SIGKILL ends it: 128 + 9.
    expect(report).toMatchObject({ loaderStarted: true, done: true });
    expect(report.tests[0]).toMatchObject({ timedOut: true, exitCode: 137, stdout: `${'x'.repeat(92)}started\n` });
    expect(report.truncated).toEqual(['stdout.0']);
    expect(report.phases['loader-end']! - report.phases['loader-start']!).toBeGreaterThanOrEqual(2);
  }, 300_000);
});
