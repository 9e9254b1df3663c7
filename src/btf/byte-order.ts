// BTF in the other byte order. bpftool writes minimal BTF in the host's order, but
// a big-endian (s390x) loader relocates only against big-endian BTF (cilium/ebpf:
// "can't relocate BigEndian against LittleEndian"). Every field of the header and
// of the type section is a 32-bit word (btf_type, its per-kind tail, even INT's
// encoding), after a 16-bit magic and two bytes; strings are bytes. So swapping is
// word by word, no kind table needed.

const MAGIC = 0xeb9f;

export type ByteOrder = 'LE' | 'BE';

export function btfByteOrder(btf: Buffer): ByteOrder | undefined {
  if (btf.length < 24) return undefined;
  if (btf.readUInt16LE(0) === MAGIC) return 'LE';
  if (btf.readUInt16BE(0) === MAGIC) return 'BE';
  return undefined;
}

/** A copy of raw BTF `btf` in byte order `to` (the input itself when it already is). */
export function withByteOrder(btf: Buffer, to: ByteOrder): Buffer {
  const from = btfByteOrder(btf);
  if (!from) throw new Error('not raw BTF (no 0xeb9f magic)');
  if (from === to) return btf;
  const read = (at: number) => (from === 'LE' ? btf.readUInt32LE(at) : btf.readUInt32BE(at));
  const out = Buffer.from(btf);
  const put = (at: number) => (to === 'LE' ? out.writeUInt32LE(read(at), at) : out.writeUInt32BE(read(at), at));
  if (to === 'LE') out.writeUInt16LE(MAGIC, 0);
  else out.writeUInt16BE(MAGIC, 0);
  const hdrLen = read(4);
  for (let at = 4; at < hdrLen; at += 4) put(at);
  const [typeOff, typeLen] = [read(8), read(12)];
  const start = hdrLen + typeOff;
  if (typeLen % 4 !== 0 || start + typeLen > btf.length) throw new Error('malformed BTF: type section out of bounds');
  for (let at = start; at < start + typeLen; at += 4) put(at);
  return out;
}
