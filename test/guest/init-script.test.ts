// /init text: a snapshot of the whole script, then the parts that carry user
// data checked by running them through a real shell. The cached busybox is a
// content-addressed blob: it runs with argv0 'busybox' so it does not take its
// hash-named file name for an applet name.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseInit } from '../../src/guest/base-init.js';
import { cellScript, shQuote } from '../../src/guest/init-script.js';
import { devBusybox } from '../helpers/dev-kernels.js';

// Downloads on a fresh machine take longer than a test's timeout: fetch in the hook.
beforeAll(() => devBusybox('amd64'));

const base = { token: '0123456789abcdef', args: [], env: {}, timeoutSec: 30, sysctl: {} };
const EVIL = [`it's`, `"double"`, '$(touch /tmp/pwned)', '`id`', 'a\nb', '\\', ' lead', '*', '$HOME', '', "'''"];

function sh(script: string, shell = 'sh'): string {
  const r = spawnSync(shell, ['-c', script], { encoding: 'utf8' });
  if (r.error) throw r.error;
  return r.stdout;
}

describe('cellScript', () => {
  it('matches the snapshot for a full config', () => {
    expect(
      cellScript({
        ...base,
        args: ['--run', 'it works'],
        env: { Z: '1', GODEBUG: 'x=1' },
        sysctl: { 'net.core.bpf_jit_enable': '0', 'kernel.unprivileged_bpf_disabled': '0' },
        user: 'portmatrix',
        capabilities: ['bpf', 'perfmon'],
      }),
    ).toMatchSnapshot();
  });

  it('leaves the mounts to the base /init and runs the protocol in order', () => {
    const s = cellScript(base);
    expect(s).not.toContain('mount -t');
    expect(s).toContain('ulimit -l unlimited');
    expect(s.trimEnd().endsWith('poweroff -f')).toBe(true);
    // Order of the protocol: init, loader-start, exit, blocks, done.
    const order = ['phase=init', 'phase=loader-start', 'frame exit=', 'frame begin=$n', 'phase=done'].map((k) => s.indexOf(k));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('keeps the token out of everything the loader can see', () => {
    const s = cellScript({ ...base, args: ['x'], env: { A: 'b' } });
    const loaderLines = s.split('\n').filter((l) => l.includes('/portmatrix/loader') || l.startsWith('env -i'));
    expect(loaderLines.length).toBeGreaterThan(0);
    for (const l of loaderLines) expect(l).not.toContain(base.token);
  });

  it('shQuote survives a real shell for hostile strings', () => {
    for (const shell of ['sh', 'bash']) {
      const out = sh(`printf '%s\\0' ${EVIL.map(shQuote).join(' ')}`, shell);
      expect(out.split('\0').slice(0, -1)).toEqual(EVIL);
    }
  });

  it('passes args and env to the loader verbatim (checked with the guest busybox sh)', async () => {
    const busybox = await devBusybox('amd64');
    const env = Object.fromEntries(EVIL.map((v, i) => [`V${i}`, v]));
    const s = cellScript({ ...base, args: EVIL, env });
    // Take the loader command as generated and point it at a printing stub.
    const start = s.indexOf('env -i ');
    const cmd = s
      .slice(start, s.indexOf('&\npid=$!', start))
      .replace(/< \/dev\/null > \/tmp\/pm\/stdout 2> \/tmp\/pm\/stderr 3>&-\s*$/, '')
      .replace(`'id -u > /tmp/pm-user/uid; grep CapEff /proc/self/status > /tmp/pm-user/capeff; exec "$@"'`, `'exec "$@"'`)
      .replace('/portmatrix/loader', `sh -c 'printf "%s\\0" "$@"; env | grep ^V | sort' stub`);
    const r = spawnSync(busybox, ['sh', '-c', cmd], { argv0: 'busybox', encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(r.stderr).toBe('');
    const [argsPart, ...rest] = r.stdout.split('\0');
    const args = [argsPart!, ...rest.slice(0, EVIL.length - 1)];
    expect(args).toEqual(EVIL);
    for (const [k, v] of Object.entries(env)) if (!v.includes('\n')) expect(r.stdout).toContain(`${k}=${v}\n`);
  });

  it('is valid busybox sh syntax', async () => {
    const busybox = await devBusybox('amd64');
    const s = cellScript({ ...base, args: EVIL, env: { A: EVIL.join('') }, sysctl: { 'net.core.bpf_jit_enable': `1'; reboot` }, user: '1234' });
    const r = spawnSync(busybox, ['sh', '-n', '-c', s], { argv0: 'busybox', encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('refuses names that would be interpolated into the script', () => {
    expect(() => cellScript({ ...base, env: { 'A;reboot': 'x' } })).toThrow(/not a valid variable name/);
    expect(() => cellScript({ ...base, sysctl: { '../../sysrq-trigger': 'b' } })).toThrow(/sysctl name/);
    expect(() => cellScript({ ...base, user: 'root; reboot' })).toThrow(/neither a uid nor a valid user name/);
    expect(() => cellScript({ ...base, token: 'not-hex' })).toThrow(/hex/);
    expect(() => cellScript({ ...base, timeoutSec: 0 })).toThrow(/positive/);
  });

  it('drops privileges with su when only a user is given', () => {
    expect(cellScript(base)).not.toContain(' su ');
    const s = cellScript({ ...base, user: '1234' });
    expect(s).toContain(`awk -F: -v u='1234' '$3 == u { f = 1 } END { exit !f }' /etc/passwd || { echo 'u1234:x:1234:1234::/tmp:/bin/sh' >> /etc/passwd; echo 'u1234:x:1234:' >> /etc/group; }`);
    expect(s).toContain(`su -p -s /bin/sh -c 'id -u > /tmp/pm-user/uid; grep CapEff /proc/self/status > /tmp/pm-user/capeff; exec "$@"' -- "$user" loader /portmatrix/loader`);
    expect(s).not.toContain('/portmatrix/pmcap');
  });

  it('runs the loader through pmcap with capability numbers when capabilities are given', () => {
    const s = cellScript({ ...base, user: '1234', capabilities: ['bpf', 'perfmon'] });
    expect(s).not.toContain(' su ');
    expect(s).toContain(`uid=$(awk -F: -v u="$user" '$1 == u { print $3; exit }' /etc/passwd)`);
    // CAP_BPF is 39, CAP_PERFMON 38 (include/uapi/linux/capability.h).
    expect(s).toContain('/portmatrix/pmcap -uid "$uid" -gid "$gid" -caps 39,38 -- /bin/sh -c');
    // Root limited to a set, and a user with explicitly none.
    const root = cellScript({ ...base, capabilities: ['sys_admin'] });
    expect(root).toContain('uid=0 gid=0');
    expect(root).toContain('pmcap -uid "$uid" -gid "$gid" -caps 21 --');
    expect(cellScript({ ...base, user: 'portmatrix', capabilities: [] })).toContain(`-caps '' --`);
    expect(() => cellScript({ ...base, capabilities: ['bfp'] })).toThrow(/unknown capability "bfp"/);
  });
});

describe('baseInit', () => {
  it('mounts what cilium/ebpf needs and lowers printk right after /proc', () => {
    const s = baseInit();
    const lines = s.split('\n');
    expect(lines.indexOf('echo 1 > /proc/sys/kernel/printk')).toBe(lines.indexOf('mount -t proc proc /proc') + 2);
    for (const [fs, dir] of [['sysfs', '/sys'], ['devtmpfs', '/dev'], ['debugfs', '/sys/kernel/debug'], ['tracefs', '/sys/kernel/tracing'], ['bpf', '/sys/fs/bpf'], ['tmpfs', '/tmp']]) {
      expect(s).toContain(`mount -t ${fs} ${fs} ${dir}`);
    }
  });

  it('hands the waiting to pmcell when it is there, else mixes in the seed and sets the clock with builtins first', () => {
    const s = baseInit();
    const pmcell = s.indexOf('test -x /portmatrix-base/pmcell && exec /portmatrix-base/pmcell');
    expect(pmcell).toBeGreaterThan(s.indexOf('exec 3<> "$port"'));
    // Without pmcell: READY, the header, the seed, then the first program.
    const header = s.indexOf('read -r magic len clock seed <&3');
    const mix = s.indexOf('echo "$seed" > /dev/urandom');
    expect(pmcell).toBeLessThan(s.indexOf('@@portmatrix-ready'));
    expect(header).toBeGreaterThan(s.indexOf('@@portmatrix-ready'));
    // Nothing is exec'd between reading the header and mixing the seed in.
    expect(s.slice(header, mix)).not.toMatch(/\n\s*(?!exec 3<&-|sleep|done|while|read|test)[a-z]/);
    expect(mix).toBeLessThan(s.indexOf('date -s "@$clock"'));
    expect(s.indexOf('date -s "@$clock"')).toBeLessThan(s.indexOf('cpio -idm <&3'));
    expect(s.trimEnd().endsWith('exec /portmatrix/cell.sh')).toBe(true);
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
