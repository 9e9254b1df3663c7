// Matrix text is written by whoever wrote the matrix (in CI: a pull request's
// author), and it reaches terminals and one-line errors. Unlike guest output
// (plain-text.ts, which removes what it must not show), a value the user wrote
// is shown escaped, so they can see and fix what is in their file: control
// characters as \n or \x1b, bidirectional overrides (which reorder what a
// reader sees, e.g. U+202E) as \u202e, and a long value cut with its size.

// C0 (tab and newline included: one line stays one line), DEL, C1.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;
/** Bidi embeddings, overrides, isolates and marks: they reorder what a reader sees (U+202E). */
export const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// Those, and lone surrogates.
const INVISIBLE = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Characters a terminal would act on instead of showing, written as escapes. */
export function escapeControls(text: string, keepNewlines = false): string {
  const hex = (c: string, width: number) => c.charCodeAt(0).toString(16).padStart(width, '0');
  return text.replace(CONTROL, (c) => (keepNewlines && c === '\n' ? c : (NAMED[c] ?? `\\x${hex(c, 2)}`))).replace(INVISIBLE, (c) => `\\u${hex(c, 4)}`);
}

/** A bidi control as the escape a reader sees instead (`\u202e`). */
export const showBidi = (text: string) => text.replace(BIDI, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** At most `max` characters (a surrogate pair is not split), then `… (N bytes)` naming the whole. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\ud800-\udbff]/.test(text[max - 1] ?? '') ? max - 1 : max;
  return `${text.slice(0, end)}… (${Buffer.byteLength(text)} bytes)`;
}

/** One line of matrix text for a terminal or an error: escaped, then cut. */
export function oneLine(text: string, max = 200): string {
  return cut(escapeControls(text), max);
}

// A JSON string literal as messages quote values: "…" with escapes.
const QUOTED = /"(?:[^"\\]|\\.)*"/g;

function cutQuoted(quoted: string, max: number): string {
  if (quoted.length <= max + 2) return quoted;
  const end = /[\ud800-\udbff]/.test(quoted[max] ?? '') ? max : max + 1;
  return `${quoted.slice(0, end)}…" (${Buffer.byteLength(quoted) - 2} bytes)`;
}

/** A message whose quoted values are cut at `max` characters, with controls escaped and at most `total` characters. */
export function safeMessage(message: string, max = 120, total = 600): string {
  return cut(escapeControls(message.replace(QUOTED, (q) => cutQuoted(q, max))), total);
}
