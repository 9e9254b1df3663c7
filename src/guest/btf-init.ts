// The /init lines that put the cell's chosen BTF where unmodified loaders look:
// /sys/kernel/btf/vmlinux (cilium/ebpf, libbpf), and its path in $PORTMATRIX_BTF.
// sysfs lets nobody create files, so a tmpfs goes over /sys/kernel/btf; a kernel
// built without BTF has no such directory either, and then a tmpfs goes over
// /sys/kernel holding bind mounts of everything a second sysfs shows there, plus btf/.
// The cell script runs this after the base /init mounted securityfs, debugfs and
// tracefs under /sys/kernel; the tmpfs hides those, so they are mounted again on the binds.

/** What the guest does: `hide` the kernel's BTF, and/or `install` the file at this guest path (from the cell's inputs). */
export interface GuestBtf {
  hide: boolean;
  install?: string;
  /**
   * A pmcell in the guest that installs it in one program (`pmcell btf FILE`, run/boot.ts
   * checks the one it put in the base); the shell lines below remain for a guest without.
   */
  helper?: string;
}

/** Where the cell's inputs hold a BTF file to install. */
export const BTF_GUEST_FILE = '/portmatrix/btf/vmlinux';

export function btfInitLines(btf: GuestBtf | undefined): string[] {
  const lines: string[] = [];
  if (btf?.hide || btf?.install) {
    lines.push('# BTF: replace what the kernel shows under /sys/kernel/btf');
    // pmcell where the guest has it (vng's initramfs has none), else the shell's way.
    if (btf.install && btf.helper) lines.push(`if test -x ${btf.helper}; then ${btf.helper} btf ${btf.install}; else`, ...shellLines(btf).map((l) => `  ${l}`), 'fi');
    else lines.push(...shellLines(btf));
  }
  lines.push('PORTMATRIX_BTF=; test -e /sys/kernel/btf/vmlinux && PORTMATRIX_BTF=/sys/kernel/btf/vmlinux');
  return lines;
}

/** The same with busybox: a mkdir or touch and a mount for every entry of /sys/kernel on a kernel without BTF. */
function shellLines(btf: GuestBtf): string[] {
  const lines = ['if test -d /sys/kernel/btf; then mount -t tmpfs -o mode=0755 btf /sys/kernel/btf'];
  if (!btf.install) return [...lines, 'fi'];
  return [
    ...lines,
    'else mkdir -p /portmatrix/sysfs && mount -t sysfs sysfs /portmatrix/sysfs && mount -t tmpfs -o mode=0755 kernel /sys/kernel',
    '  for e in /portmatrix/sysfs/kernel/*; do n=${e##*/}; if test -d "$e"; then mkdir "/sys/kernel/$n"; else touch "/sys/kernel/$n"; fi; mount -o bind "$e" "/sys/kernel/$n"; done',
    '  mkdir /sys/kernel/btf',
    '  mount -t securityfs securityfs /sys/kernel/security 2>/dev/null',
    '  mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null',
    '  mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null',
    'fi',
    `cp ${btf.install} /sys/kernel/btf/vmlinux && chmod 0444 /sys/kernel/btf/vmlinux`,
  ];
}
