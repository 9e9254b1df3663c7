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
  /** pmcell's guest path: it installs the file in one program (`pmcell btf FILE`). */
  helper: string;
}

/** Where the cell's inputs hold a BTF file to install. */
export const BTF_GUEST_FILE = '/portmatrix/btf/vmlinux';

export function btfInitLines(btf: GuestBtf | undefined): string[] {
  const lines: string[] = [];
  if (btf?.hide || btf?.install) {
    lines.push('# BTF: replace what the kernel shows under /sys/kernel/btf');
    // Installing takes a tmpfs over /sys/kernel and a bind per entry on a kernel without BTF: pmcell's.
    if (btf.install) lines.push(`${btf.helper} btf ${btf.install}`);
    else lines.push('if test -d /sys/kernel/btf; then mount -t tmpfs -o mode=0755 btf /sys/kernel/btf; fi');
  }
  lines.push('PORTMATRIX_BTF=; test -e /sys/kernel/btf/vmlinux && PORTMATRIX_BTF=/sys/kernel/btf/vmlinux');
  return lines;
}
