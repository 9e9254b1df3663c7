// Which applets a busybox binary provides, read without running it (it is
// usually built for another arch than the host's).
//
// busybox keeps its applet names as one sorted, NUL-separated string table
// (`applet_names` in libbb/appletlib.c) that starts with "[", "[[" in every
// build with the test applet. We find that table in the binary and read names
// until the first byte that cannot be part of an applet name.

/** The applets /init and typical loaders use: the fallback when the table is not found. */
export const FALLBACK_APPLETS = [
  '[',
  'base64',
  'cat',
  'chmod',
  'cp',
  'dmesg',
  'echo',
  'env',
  'false',
  'grep',
  'head',
  'id',
  'kill',
  'ln',
  'ls',
  'mkdir',
  'mknod',
  'mount',
  'poweroff',
  'ps',
  'rm',
  'sed',
  'setpriv',
  'sh',
  'sleep',
  'sysctl',
  'tail',
  'test',
  'timeout',
  'tr',
  'true',
  'umount',
  'uname',
  'wc',
];

const NAME = /^[a-z0-9_.\-[\]]+$/;

export function busyboxApplets(binary: Buffer): string[] {
  const start = binary.indexOf(Buffer.from('\0[\0[[\0', 'latin1'));
  if (start < 0) return FALLBACK_APPLETS;
  const names: string[] = [];
  let pos = start + 1;
  for (;;) {
    const end = binary.indexOf(0, pos);
    if (end < 0 || end === pos) break; // the table ends with an empty string or other data
    const name = binary.toString('latin1', pos, end);
    // The table is sorted: anything unsorted or oddly spelled is past its end.
    const prev = names[names.length - 1];
    if (!NAME.test(name) || name.length > 32 || (prev !== undefined && name <= prev)) break;
    names.push(name);
    pos = end + 1;
  }
  // A real busybox has hundreds; a handful means we matched something else.
  return names.length >= 20 && names.includes('sh') ? names : FALLBACK_APPLETS;
}
