// Debian version ordering, as dpkg implements it (deb-version(7), lib/dpkg/version.c).
// Used to pick the newest kernel of a suite; a wrong order picks an old kernel silently.

export interface DebianVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

export function parseDebianVersion(text: string): DebianVersion {
  const s = text.trim();
  const colon = s.indexOf(':');
  const epoch = colon >= 0 ? Number(s.slice(0, colon)) : 0;
  if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`bad epoch in Debian version "${text}"`);
  const rest = colon >= 0 ? s.slice(colon + 1) : s;
  // The revision is whatever follows the last hyphen; without one it is empty ("0").
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '' };
}

/** Weight of one character in the non-digit part: ~ sorts before everything, even the end. */
function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[0-9]/.test(c)) return 0;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp: alternating non-digit and digit runs. */
function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !/[0-9]/.test(a[i]!)) || (j < b.length && !/[0-9]/.test(b[j]!))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (i < a.length && /[0-9]/.test(a[i]!) && j < b.length && /[0-9]/.test(b[j]!)) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && /[0-9]/.test(a[i]!)) return 1;
    if (j < b.length && /[0-9]/.test(b[j]!)) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

/** Negative when a < b, 0 when equal, positive when a > b (Debian ordering). */
export function compareDebianVersions(a: string, b: string): number {
  const va = parseDebianVersion(a);
  const vb = parseDebianVersion(b);
  if (va.epoch !== vb.epoch) return va.epoch - vb.epoch;
  const up = compareFragment(va.upstream, vb.upstream);
  if (up !== 0) return up;
  return compareFragment(va.revision, vb.revision);
}
