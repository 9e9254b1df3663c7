// Recognises a kernel image's architecture from its header bytes, and its release
// from the version string a bzImage carries. Pure: bytes in, facts out.
//   bzImage: "HdrS" at 0x202, kernel_version pointer at 0x20e (+0x200), boot protocol 2.x
//   arm64 Image: magic "ARM\x64" at 0x38 (Documentation/arch/arm64/booting.rst)
//   ELF vmlinux: e_machine at 0x12 (62 x86-64, 183 aarch64, 22 s390), endianness at 0x05
//   EFI zboot (arm64 Debian vmlinuz since 6.x): "MZ" + "zimg" at 0x04, compression type at 0x18

import type { Arch } from '../core/arch.js';

export interface HeaderInfo {
  /** undefined when the format carries no reliable architecture mark. */
  arch?: Arch;
  format: 'bzImage' | 'arm64-image' | 'elf' | 'efi-zboot' | 'gzip' | 'unknown';
  /** From the bzImage version string, e.g. 6.1.0-50-amd64. */
  release?: string;
}

const ELF_MACHINES: Record<number, Arch> = { 62: 'amd64', 183: 'arm64', 22: 's390x' };

export function detectKernel(head: Buffer): HeaderInfo {
  if (head.length >= 0x206 && head.toString('latin1', 0x202, 0x206) === 'HdrS') {
    const ptr = head.readUInt16LE(0x20e);
    let release: string | undefined;
    if (ptr > 0 && ptr + 0x200 < head.length) {
      // "6.1.0-50-amd64 (debian-kernel@lists.debian.org) #1 SMP ..." → first word
      const text = head.toString('latin1', ptr + 0x200, Math.min(head.length, ptr + 0x200 + 256));
      release = /^([0-9][^\s\0]*)/.exec(text)?.[1];
    }
    return { arch: 'amd64', format: 'bzImage', release };
  }
  if (head.length >= 0x3c && head.toString('latin1', 0x38, 0x3c) === 'ARM\x64') return { arch: 'arm64', format: 'arm64-image' };
  if (head.length >= 0x14 && head.toString('latin1', 0, 4) === '\x7fELF') {
    const big = head[5] === 2;
    const machine = big ? head.readUInt16BE(0x12) : head.readUInt16LE(0x12);
    return { arch: ELF_MACHINES[machine], format: 'elf' };
  }
  // EFI zboot wraps a compressed arm64 Image in a PE file; the wrapper is arm64-only in Debian.
  if (head.length >= 0x40 && head.toString('latin1', 0, 2) === 'MZ' && head.toString('latin1', 4, 8) === 'zimg') {
    return { arch: head.toString('latin1', 0x38, 0x3c) === 'ARM\x64' ? 'arm64' : undefined, format: 'efi-zboot' };
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return { format: 'gzip' };
  return { format: 'unknown' };
}
