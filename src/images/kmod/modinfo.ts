// A kernel module's .modinfo section: NUL-separated `key=value` strings that
// modpost writes at build time, among them `name=` and `depends=` (the modules
// whose symbols it uses). depmod derives modules.dep from the same facts; RPM
// kernels ship no modules.dep (it is made at install time), so this is the one
// source that every distribution's packages carry.

/** The section's strings as key → values (a key may repeat, e.g. alias). */
export type ModInfo = Map<string, string[]>;

/** Reads .modinfo from a 64-bit ELF relocatable (every arch portmatrix boots). */
export function parseModinfo(buf: Buffer): ModInfo | undefined {
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2) return undefined;
  const be = buf[5] === 2;
  const u16 = (o: number) => (be ? buf.readUInt16BE(o) : buf.readUInt16LE(o));
  const u32 = (o: number) => (be ? buf.readUInt32BE(o) : buf.readUInt32LE(o));
  const u64 = (o: number) => Number(be ? buf.readBigUInt64BE(o) : buf.readBigUInt64LE(o));
  const shoff = u64(40);
  const shentsize = u16(58);
  const shnum = u16(60);
  // Elf64_Shdr: sh_name at 0, sh_offset at 24, sh_size at 32.
  const section = (i: number) => {
    const o = shoff + i * shentsize;
    return { name: u32(o), offset: u64(o + 24), size: u64(o + 32) };
  };
  if (shoff + shnum * shentsize > buf.length) return undefined;
  const names = section(u16(62));
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    const at = names.offset + s.name;
    const end = buf.indexOf(0, at);
    if (buf.toString('latin1', at, end) !== '.modinfo') continue;
    if (s.offset + s.size > buf.length) return undefined;
    return modinfoStrings(buf.subarray(s.offset, s.offset + s.size));
  }
  return undefined;
}

function modinfoStrings(section: Buffer): ModInfo {
  const info: ModInfo = new Map();
  for (const s of section.toString('latin1').split('\0')) {
    const eq = s.indexOf('=');
    if (eq <= 0) continue;
    const key = s.slice(0, eq);
    info.set(key, [...(info.get(key) ?? []), s.slice(eq + 1)]);
  }
  return info;
}

/** The modules this one needs loaded first (`depends=a,b`; empty when none). */
export function moduleDepends(info: ModInfo): string[] {
  return (info.get('depends')?.[0] ?? '').split(',').filter(Boolean);
}
