// A cpio "newc" writer: the initramfs format the kernel unpacks at boot
// (https://docs.kernel.org/driver-api/early-userspace/buffer-format.html).
// Written here rather than shelling out to cpio(1) so that archives are
// byte-for-byte reproducible (mtime 0, inode numbers by order) and need no host tool.

export type CpioEntry = {
  /** Path inside the archive; a leading `/` or `./` is dropped. */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'char';
  /** Permission bits (e.g. 0o755); defaults: file 0644, dir 0755, symlink 0777, char 0600. */
  mode?: number;
  data?: Buffer;
  /** Symlink target. */
  target?: string;
  /** Device numbers of a char node. */
  major?: number;
  minor?: number;
  uid?: number;
  gid?: number;
};

const TYPE_BITS = { file: 0o100000, dir: 0o040000, symlink: 0o120000, char: 0o020000 } as const;
const DEFAULT_MODE = { file: 0o644, dir: 0o755, symlink: 0o777, char: 0o600 } as const;
const MAGIC = '070701';
const TRAILER = 'TRAILER!!!';

/** `/a//b/./c/` → `a/b/c`; rejects `..` so no entry can escape the root. */
export function normalizeCpioPath(p: string): string {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.includes('..')) throw new Error(`cpio path must not contain '..': ${p}`);
  if (parts.length === 0) throw new Error(`cpio path is empty: ${JSON.stringify(p)}`);
  return parts.join('/');
}

function hex8(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`cpio field out of range: ${n}`);
  return n.toString(16).toUpperCase().padStart(8, '0');
}

const pad4 = (n: number): number => (4 - (n % 4)) % 4;

interface RawRecord {
  ino: number;
  name: string;
  mode: number;
  nlink: number;
  body: Buffer;
  uid?: number;
  gid?: number;
  rdevMajor?: number;
  rdevMinor?: number;
}

function record(r: RawRecord): Buffer[] {
  const nameBuf = Buffer.from(`${r.name}\0`, 'utf8');
  const header =
    MAGIC +
    hex8(r.ino) +
    hex8(r.mode) +
    hex8(r.uid ?? 0) +
    hex8(r.gid ?? 0) +
    hex8(r.nlink) +
    hex8(0) + // mtime: 0 for reproducible archives
    hex8(r.body.length) +
    hex8(0) + // devmajor / devminor of the containing fs: meaningless here
    hex8(0) +
    hex8(r.rdevMajor ?? 0) +
    hex8(r.rdevMinor ?? 0) +
    hex8(nameBuf.length) +
    hex8(0); // check: only used by the "crc" variant (070702)
  const head = Buffer.from(header, 'ascii');
  return [head, nameBuf, Buffer.alloc(pad4(head.length + nameBuf.length)), r.body, Buffer.alloc(pad4(r.body.length))];
}

function entryRecord(ino: number, e: CpioEntry): RawRecord {
  if (e.type === 'symlink' && !e.target) throw new Error(`cpio symlink ${e.path} has no target`);
  const body = e.type === 'symlink' ? Buffer.from(e.target ?? '', 'utf8') : e.type === 'file' ? (e.data ?? Buffer.alloc(0)) : Buffer.alloc(0);
  return {
    ino,
    name: e.path,
    mode: TYPE_BITS[e.type] | ((e.mode ?? DEFAULT_MODE[e.type]) & 0o7777),
    nlink: e.type === 'dir' ? 2 : 1,
    body,
    uid: e.uid,
    gid: e.gid,
    rdevMajor: e.type === 'char' ? e.major : 0,
    rdevMinor: e.type === 'char' ? e.minor : 0,
  };
}

/**
 * Order entries so every parent directory precedes its children (created
 * implicitly as 0755 root dirs when not listed). When a path is listed twice
 * the last entry wins but keeps the first one's position: callers merge trees
 * (libc, then our own files) by appending.
 */
function plan(entries: CpioEntry[]): CpioEntry[] {
  const byPath = new Map<string, CpioEntry>();
  for (const e of entries) {
    const path = normalizeCpioPath(e.path);
    byPath.set(path, { ...e, path });
  }
  const out: CpioEntry[] = [];
  const emitted = new Set<string>();
  const emit = (path: string): void => {
    if (emitted.has(path)) return;
    const slash = path.lastIndexOf('/');
    if (slash > 0) emit(path.slice(0, slash));
    emitted.add(path);
    out.push(byPath.get(path) ?? { path, type: 'dir' });
  };
  for (const path of byPath.keys()) emit(path);
  return out;
}

/** The whole archive, uncompressed, ending with the TRAILER!!! record. */
export function writeCpio(entries: CpioEntry[]): Buffer {
  const chunks: Buffer[] = [];
  // Inode numbers by order from 0 and upper-case hex: byte-identical to
  // `cpio -o -H newc --reproducible` (GNU cpio 2.13) for the same tree.
  let ino = 0;
  for (const e of plan(entries)) chunks.push(...record(entryRecord(ino++, e)));
  chunks.push(...record({ ino: 0, name: TRAILER, mode: 0, nlink: 1, body: Buffer.alloc(0) }));
  return Buffer.concat(chunks);
}
