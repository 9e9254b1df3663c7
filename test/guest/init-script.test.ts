// The guest's scripts: a cell's (a snapshot of the whole script, then the parts that
// carry user data checked by running them through a real shell) and the base /init. The cached busybox is a
// content-addressed blob: it runs with argv0 'busybox' so it does not take its
// hash-named file name for an applet name.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestSpec } from '../../src/core/cell.js';
import { baseInit } from '../../src/guest/base-init.js';
import { shQuote } from '../../src/guest/init-script.js';
import { type SuiteOptions, suiteScript } from '../../src/guest/suite-script.js';
import { stepOf } from '../../src/guest/test-steps.js';
import { devBusybox } from '../helpers/dev-kernels.js';

// Downloads on a fresh machine take longer than a test's timeout: fetch in the hook.
beforeAll(() => devBusybox('amd64'));

const TOKEN = '0123456789abcdef';
const EVIL = [`it's`, `"double"`, '$(touch /tmp/pwned)', '`id`', 'a\nb', '\\', ' lead', '*', '$HOME', '', "'''"];

/** A cell's script with one test (a `loader:` matrix's) and the given settings. */
function script(o: Partial<SuiteOptions> & { args?: string[]; env?: Record<string, string>; timeoutSec?: number } = {}): string {
  const { args = [], env = {}, timeoutSec = 30, ...rest } = o;
  const spec: TestSpec = {
    name: 'loader',
    kind: 'exec',
    path: '/build/loader',
    args,
    env,
    files: [],
    workdir: '',
    timeoutSec,
  };
  return suiteScript({ token: TOKEN, sysctl: {}, tests: [{ index: 0, step: stepOf(spec, 0) }], ...rest });
}

function sh(text: string, shell = 'sh'): string {
  const r = spawnSync(shell, ['-c', text], { encoding: 'utf8' });
  if (r.error) throw r.error;
  return r.stdout;
}

/** The call of the first test (it may span lines: a value can hold a newline), up to the facts it records. */
const testLine = (s: string) => s.slice(s.indexOf('\npm_test 0 ') + 1, s.indexOf('\nfact /portmatrix/creds/uid uid'));

describe("a cell's script", () => {
  it('matches the snapshot for a full config', () => {
    const full = {
      args: ['--run', 'it works'],
      env: { Z: '1', GODEBUG: 'x=1' },
      sysctl: { 'net.core.bpf_jit_enable': '0', 'kernel.unprivileged_bpf_disabled': '0' },
      user: 'portmatrix',
      capabilities: ['bpf', 'perfmon'],
    };
    expect(script(full)).toMatchSnapshot();
  });

  it('leaves the mounts to the base /init and runs the protocol in order', () => {
    const s = script();
    expect(s).not.toMatch(/mount -t (proc|sysfs|devtmpfs)/);
    expect(s).toContain('ulimit -l unlimited');
    expect(s.trimEnd().endsWith('poweroff -f')).toBe(true);
    const order = ['phase=init', 'phase=loader-start', '\npm_test 0 ', 'phase=loader-end', 'send_block dmesg', 'phase=done'].map((k) => s.indexOf(k));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('keeps the token out of everything the test can see', () => {
    const line = testLine(script({ args: ['x'], env: { A: 'b' } }));
    expect(line).toContain("'A=b'");
    expect(line).not.toContain(TOKEN);
  });

  it('shQuote survives a real shell for hostile strings', () => {
    for (const shell of ['sh', 'bash']) {
      const out = sh(`printf '%s\\0' ${EVIL.map(shQuote).join(' ')}`, shell);
      expect(out.split('\0').slice(0, -1)).toEqual(EVIL);
    }
  });

  it('passes args and env to the test verbatim (checked with the guest busybox sh)', async () => {
    const busybox = await devBusybox('amd64');
    const env = Object.fromEntries(EVIL.map((v, i) => [`V${i}`, v]));
    // pm_test as generated, called on a stub that prints the environment words, then the program and its arguments.
    const stub = 'pm_test() { shift 3; while test "$1" != --; do printf "%s\\n" "$1"; shift; done; shift; printf "%s\\0" "$@"; }';
    const r = spawnSync(busybox, ['sh', '-c', `${stub}\n${testLine(script({ args: EVIL, env }))}`], {
      argv0: 'busybox',
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(r.stderr).toBe('');
    const at = r.stdout.indexOf('/portmatrix/bin/0/loader\0');
    expect(at).toBeGreaterThan(0);
    const envPart = r.stdout.slice(0, at);
    const args = r.stdout.slice(at).split('\0').slice(1, -1);
    expect(args).toEqual(EVIL);
    for (const [k, v] of Object.entries(env)) if (!v.includes('\n')) expect(envPart).toContain(`${k}=${v}\n`);
  });

  it('is valid busybox sh syntax', async () => {
    const busybox = await devBusybox('amd64');
    const s = script({
      args: EVIL,
      env: { A: EVIL.join('') },
      sysctl: { 'net.core.bpf_jit_enable': `1'; reboot` },
      user: '1234',
    });
    const r = spawnSync(busybox, ['sh', '-n', '-c', s], { argv0: 'busybox', encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('refuses names that would be interpolated into the script', () => {
    expect(() => script({ env: { 'A;reboot': 'x' } })).toThrow(/not a valid variable name/);
    expect(() => script({ sysctl: { '../../sysrq-trigger': 'b' } })).toThrow(/sysctl name/);
    expect(() => script({ user: 'root; reboot' })).toThrow(/neither a uid nor a valid user name/);
    expect(() => script({ token: 'not-hex' })).toThrow(/hex/);
    expect(() => script({ timeoutSec: 0 })).toThrow(/positive/);
  });

  it('drops privileges with su when only a user is given', () => {
    expect(script()).not.toContain(' su ');
    const s = script({ user: '1234' });
    expect(s).toContain(
      `awk -F: -v u='1234' '$3 == u { f = 1 } END { exit !f }' /etc/passwd || { echo 'u1234:x:1234:1234::/tmp:/bin/sh' >> /etc/passwd; echo 'u1234:x:1234:' >> /etc/group; }`,
    );
    expect(testLine(s)).toContain(
      `-- su -p -s /bin/sh -c 'id -u > /portmatrix/creds/uid; grep CapEff /proc/self/status > /portmatrix/creds/capeff; exec "$@"' -- "$user" test '/portmatrix/bin/0/loader'`,
    );
    expect(s).not.toContain('/portmatrix/pmcap');
  });

  it('runs the test through pmcap with capability numbers when capabilities are given', () => {
    const s = script({ user: '1234', capabilities: ['bpf', 'perfmon'] });
    expect(s).not.toContain(' su ');
    expect(s).toContain(`uid=$(awk -F: -v u="$user" '$1 == u { print $3; exit }' /etc/passwd)`);
    // CAP_BPF is 39, CAP_PERFMON 38 (include/uapi/linux/capability.h).
    expect(testLine(s)).toContain('/portmatrix/pmcap -uid "$uid" -gid "$gid" -caps 39,38 -- /bin/sh -c');
    // Root limited to a set, and a user with explicitly none.
    const root = script({ capabilities: ['sys_admin'] });
    expect(root).toContain('uid=0 gid=0');
    expect(root).toContain('pmcap -uid "$uid" -gid "$gid" -caps 21 --');
    expect(script({ user: 'portmatrix', capabilities: [] })).toContain(`-caps '' --`);
    expect(() => script({ capabilities: ['bfp'] })).toThrow(/unknown capability "bfp"/);
  });
});

describe('baseInit', () => {
  it('mounts what cilium/ebpf needs and lowers printk right after /proc', () => {
    const s = baseInit();
    const lines = s.split('\n');
    expect(lines.indexOf('echo 1 > /proc/sys/kernel/printk')).toBe(lines.indexOf('mount -t proc proc /proc') + 2);
    for (const [fs, dir] of [
      ['sysfs', '/sys'],
      ['devtmpfs', '/dev'],
      ['debugfs', '/sys/kernel/debug'],
      ['tracefs', '/sys/kernel/tracing'],
      ['bpf', '/sys/fs/bpf'],
      ['tmpfs', '/tmp'],
    ]) {
      expect(s).toContain(`mount -t ${fs} ${fs} ${dir}`);
    }
  });

  it('hands the waiting to pmcell once the inputs port is open, and nothing after it', () => {
    const s = baseInit();
    expect(s.indexOf('exec /portmatrix-base/pmcell')).toBeGreaterThan(s.indexOf('exec 3<> "$port"'));
    expect(s.trimEnd().endsWith('exec /portmatrix-base/pmcell')).toBe(true);
    expect(baseInit({ inline: true }).trimEnd().endsWith('exec 3>&- /portmatrix/cell.sh')).toBe(true);
  });

  it('loads the kernel modules in the order given, before waiting for the port, and names one that failed', () => {
    const s = baseInit({ modules: ['virtio', 'virtio_ring', 'virtio_console'] });
    const loop = s.indexOf('for m in virtio virtio_ring virtio_console; do insmod /portmatrix-base/modules/$m.ko || nomod="$nomod $m"; done');
    expect(loop).toBeGreaterThan(s.indexOf('mount -t sysfs'));
    expect(loop).toBeLessThan(s.indexOf('/sys/class/virtio-ports'));
    expect(s).toContain('${nomod:+ (kernel modules that did not load:$nomod)}');
    expect(baseInit()).not.toContain('insmod');
  });

  it('is valid busybox sh syntax, inline (vng) too', async () => {
    const busybox = await devBusybox('amd64');
    for (const s of [baseInit(), baseInit({ inline: true }), baseInit({ modules: ['virtio', 'virtio_console'] })]) {
      const r = spawnSync(busybox, ['sh', '-n', '-c', s], { argv0: 'busybox', encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });
});
