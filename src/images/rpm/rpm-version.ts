// RPM version ordering, as rpm itself orders packages (rpmvercmp in rpm's
// lib/rpmvercmp.c): epoch, then version, then release, each compared segment by
// segment. The table in test/images/rpm-version.test.ts was checked against
// rpm 4.18's own rpm.vercmp.

export interface Evr {
  epoch?: string;
  version: string;
  release: string;
}

const isDigit = (c: string) => c >= '0' && c <= '9';
const isAlpha = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isAlnum = (c: string) => isDigit(c) || isAlpha(c);
const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** Skips separators: everything but letters, digits, `~` and `^`. */
function skipSeparators(s: string, i: number): number {
  while (i < s.length && !isAlnum(s[i]!) && s[i] !== '~' && s[i] !== '^') i++;
  return i;
}

/** End of the run of digits (or letters) starting at i. */
function segmentEnd(s: string, i: number, digits: boolean): number {
  const fits = digits ? isDigit : isAlpha;
  while (i < s.length && fits(s[i]!)) i++;
  return i;
}

/** Compares two segments of the same kind: numbers by value (any length), words bytewise. */
function compareSegments(a: string, b: string, numeric: boolean): number {
  if (numeric) {
    const x = a.replace(/^0+/, '');
    const y = b.replace(/^0+/, '');
    if (x.length !== y.length) return sign(x.length - y.length);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `~` sorts before anything (even the end: 1.0~rc1 < 1.0); `^` sorts after the
 * end but before any further segment (1.0 < 1.0^git1 < 1.0.1).
 * Returns undefined when neither string is at a `~` or `^`.
 */
function compareMarks(a: string, i: number, b: string, j: number): number | undefined {
  if (a[i] === '~' || b[j] === '~') {
    if (a[i] !== '~') return 1;
    if (b[j] !== '~') return -1;
    return 0;
  }
  if (a[i] === '^' || b[j] === '^') {
    if (i >= a.length) return -1;
    if (j >= b.length) return 1;
    if (a[i] !== '^') return 1;
    if (b[j] !== '^') return -1;
    return 0;
  }
  return undefined;
}

/** rpmvercmp: -1, 0 or 1. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    i = skipSeparators(a, i);
    j = skipSeparators(b, j);
    const mark = compareMarks(a, i, b, j);
    if (mark !== undefined) {
      if (mark !== 0) return mark;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = isDigit(a[i]!);
    const ie = segmentEnd(a, i, numeric);
    const je = segmentEnd(b, j, numeric);
    // Segments of different kinds: a number is newer than a word.
    if (je === j) return numeric ? 1 : -1;
    const rc = compareSegments(a.slice(i, ie), b.slice(j, je), numeric);
    if (rc !== 0) return rc;
    i = ie;
    j = je;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i < a.length ? 1 : -1;
}

/** Orders two packages by epoch (missing = 0), version and release. */
export function compareEvr(a: Evr, b: Evr): number {
  const ea = Number(a.epoch || 0);
  const eb = Number(b.epoch || 0);
  if (ea !== eb) return sign(ea - eb);
  return rpmvercmp(a.version, b.version) || rpmvercmp(a.release, b.release);
}

/** `[epoch:]version-release` as rpm prints it. */
export const formatEvr = (e: Evr) => `${e.epoch && e.epoch !== '0' ? `${e.epoch}:` : ''}${e.version}-${e.release}`;
