// The kernel log as the guest's `dmesg` prints it, cut into the part that belongs to
// one test: only lines stamped at or after the test started. Everything earlier is
// boot noise ("trace event string verifier disabled" at 0.000000) and must never
// explain a failure or count as a splat.

/** `[   12.345678] text` → 12.345678; undefined for a line without a stamp. */
export function stampOf(line: string): number | undefined {
  const m = /^\s*(?:<\d+>)?\[\s*(\d+\.\d+)\]/.exec(line);
  return m ? Number(m[1]) : undefined;
}

/** The line's text without the `[ t]` stamp and a `<level>` prefix. */
export function withoutStamp(line: string): string {
  return line.replace(/^\s*(?:<\d+>)?\[\s*\d+\.\d+\]\s?/, '').trim();
}

/**
 * The lines of `dmesg` logged at or after guest uptime `from` (seconds) and, when
 * given, before `to`. Unstamped lines (continuations) follow the stamped line above.
 * Framing lines of our own protocol never belong to a test.
 */
export function logSegment(dmesg: string, from: number, to?: number): string {
  const out: string[] = [];
  let inside = false;
  for (const line of dmesg.split('\n')) {
    const t = stampOf(line);
    if (t !== undefined) inside = t >= from && (to === undefined || t < to);
    if (inside && line.trim() !== '' && !isFrameLine(line)) out.push(line);
  }
  return out.join('\n');
}

/** A line of the guest protocol (`@@portmatrix:<token> …`), whatever its token. */
export function isFrameLine(line: string): boolean {
  return /@@portmatrix:[0-9a-f]*\s/.test(`${line} `);
}

/** Text without protocol lines: what may be quoted to a user. */
export function withoutFrames(text: string): string {
  return text
    .split('\n')
    .filter((l) => !isFrameLine(l))
    .join('\n');
}
