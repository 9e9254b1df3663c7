// Guest text is hostile: it can carry ANSI escapes, control bytes, lone UTF-16
// surrogates and markup. Every report funnels guest text through these helpers
// before adding its own, format-specific escaping.

// CSI (ESC [ ... final), OSC (ESC ] ... BEL/ST), and the 2-byte ESC sequences.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]/g;

/** Removes ANSI/VT escape sequences (colours, cursor moves, titles). */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

// Keeps \t and \n only; drops other C0, DEL, C1, lone surrogates and the two
// XML-forbidden non-characters, so the result is valid XML 1.0 text too.
const UNSAFE = /[^\t\n\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/**
 * Makes guest output safe to embed in any report: no escapes, no control bytes,
 * `\r\n` and lone `\r` become `\n`. Format escaping (XML, HTML, Markdown) comes after.
 */
export function cleanText(text: string | undefined): string {
  if (!text) return '';
  return stripAnsi(text).replace(/\r\n?/g, '\n').replace(UNSAFE, '');
}

/** A single-line version of guest text, for table cells, attributes and headings. */
export function oneLine(text: string | undefined, max = 200): string {
  const line = cleanText(text).replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes the five XML/HTML special characters; valid in text and in quoted attributes. */
export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** The last `lines` lines of a text, trimmed of trailing blank lines. */
export function lastLines(text: string, lines: number): string {
  const all = text.replace(/\n+$/, '').split('\n');
  return all.slice(Math.max(0, all.length - lines)).join('\n');
}

/** `4.2 s`, `850 ms`, or `–` when unknown. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
