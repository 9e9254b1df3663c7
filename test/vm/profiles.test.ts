// QEMU argv per arch, as a table (docs/facts.md: the lines that boot here).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { packageForBinary, qemuCommand, qemuPackage, type VmSpec } from '../../src/vm/profiles.js';

const spec = (over: Partial<VmSpec>): VmSpec => ({
  arch: 'amd64',
  accel: 'tcg',
  kernel: '/k/vmlinuz',
  initrd: '/k/initrd.gz',
  cmdline: [],
  memoryMiB: 512,
  cpus: 1,
  network: false,
  ...over,
});

const common = (accel: string) => ['-accel', accel];
const tail = (nic: string[], append: string) => [
  '-nodefaults',
  '-no-user-config',
  '-display',
  'none',
  '-serial',
  'stdio',
  '-no-reboot',
  ...nic,
  '-kernel',
  '/k/vmlinuz',
  '-initrd',
  '/k/initrd.gz',
  '-append',
  append,
];

describe('qemuCommand', () => {
  it.each([
    ['amd64', 'tcg', 'qemu-system-x86_64', ['-M', 'pc', '-cpu', 'max'], 'console=ttyS0 panic=-1 no_timer_check'],
    ['amd64', 'kvm', 'qemu-system-x86_64', ['-M', 'pc', '-cpu', 'max'], 'console=ttyS0 panic=-1'],
    ['arm64', 'tcg', 'qemu-system-aarch64', ['-M', 'virt', '-cpu', 'max,pauth=off'], 'console=ttyAMA0 panic=-1'],
    ['arm64', 'kvm', 'qemu-system-aarch64', ['-M', 'virt', '-cpu', 'max'], 'console=ttyAMA0 panic=-1'],
    ['s390x', 'tcg', 'qemu-system-s390x', ['-M', 's390-ccw-virtio'], 'console=ttysclp0 panic=-1'],
  ] as const)('%s under %s', (arch, accel, binary, machine, append) => {
    const c = qemuCommand(spec({ arch, accel }));
    expect(c.binary).toBe(binary);
    expect(c.kernelArgs).toBe(append);
    expect(c.args).toEqual([...common(accel), ...machine, '-smp', '1', '-m', '512', ...tail(['-nic', 'none'], append)]);
  });

  it('adds the inputs port (PCI, or channel I/O on s390x), a QMP monitor and an incoming state when asked', () => {
    const sockets = { inputsSocket: '/w/a,b.in', qmpSocket: '/w/x.qmp', incomingFile: "/c/it's.state" };
    const tailOf = (arch: 'amd64' | 's390x') => {
      const args = qemuCommand(spec({ arch, ...sockets })).args;
      return args.slice(args.indexOf('-append') + 2);
    };
    const port = (bus: string) => [
      '-device',
      `${bus},id=pmserial`,
      // A comma in a QEMU option value is doubled.
      '-chardev',
      'socket,id=pminputs,path=/w/a,,b.in,server=on,wait=off',
      '-device',
      'virtserialport,bus=pmserial.0,chardev=pminputs,name=portmatrix.inputs',
    ];
    const rest = ['-qmp', 'unix:/w/x.qmp,server=on,wait=off', '-incoming', 'fd:3'];
    expect(tailOf('amd64')).toEqual([...port('virtio-serial-pci'), ...rest]);
    expect(tailOf('s390x')).toEqual([...port('virtio-serial-ccw'), ...rest]);
  });

  it('adds the cell cmdline after console and panic, and a user-mode NIC when networking', () => {
    const c = qemuCommand(
      spec({
        arch: 'arm64',
        cmdline: ['lockdown=integrity', 'portmatrix.x=1'],
        network: true,
        cpus: 2,
        memoryMiB: 1024,
      }),
    );
    expect(c.kernelArgs).toBe('console=ttyAMA0 panic=-1 lockdown=integrity portmatrix.x=1');
    expect(c.args).toContain('user,model=virtio-net-pci');
    expect(c.args.join(' ')).toContain('-smp 2 -m 1024');
    expect(qemuCommand(spec({ arch: 's390x', network: true })).args).toContain('user,model=virtio');
  });

  it('never uses -cpu host (aborts on the nested hypervisor measured here)', () => {
    for (const arch of ['amd64', 'arm64', 's390x'] as const) {
      for (const accel of ['kvm', 'tcg'] as const) expect(qemuCommand(spec({ arch, accel })).args).not.toContain('host');
    }
  });

  it('names the Debian package of each binary', () => {
    expect(['amd64', 'arm64', 's390x'].map((a) => qemuPackage(a as 'amd64'))).toEqual(['qemu-system-x86', 'qemu-system-arm', 'qemu-system-misc']);
    expect(packageForBinary('/usr/bin/qemu-system-s390x')).toBe('qemu-system-misc');
    expect(packageForBinary('sleep')).toBeUndefined();
  });

  it('produces argv the installed QEMU accepts (devices and machine exist)', () => {
    for (const arch of ['amd64', 'arm64', 's390x'] as const) {
      const c = qemuCommand(spec({ arch, network: true }));
      // Without the kernel (the files do not exist) and paused (-S), then `quit` on the monitor:
      // QEMU exits 0 only if it accepted machine, cpu and NIC.
      const args = c.args.slice(0, c.args.indexOf('-kernel'));
      const r = spawnSync(c.binary, [...args.map((a) => (a === 'stdio' ? 'none' : a)), '-S', '-monitor', 'stdio'], {
        input: 'quit\n',
        timeout: 20_000,
        killSignal: 'SIGKILL',
        encoding: 'utf8',
      });
      if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${c.binary} missing: apt-get install ${qemuPackage(arch)}`);
      expect(r.stderr, `${arch}: ${r.stderr}`).toBe('');
      expect(r.status).toBe(0);
    }
  });
});
