// Guest text is hostile: it can carry escape sequences, control bytes, lone
// UTF-16 surrogates and markup. This is the one place that makes it plain before
// it reaches a terminal, a CI log or a report (format escaping comes after).

import { showBidi } from './sanitize.js';

// CSI (ESC [ … final), OSC (ESC ] … BEL or ST; an unterminated one runs to the
// end), the other two-byte ESC sequences, and the 8-bit CSI (U+009B).
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]/g;

// C0 but tab and newline, DEL, and C1.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

// Keeps \t and \n only; drops other C0, DEL, C1, lone surrogates and the two
// XML-forbidden non-characters, so the result is valid XML 1.0 text too.
const UNSAFE = /[^\t\n\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** Removes escape sequences (colours, cursor moves, window titles). */
export function stripEscapes(text: string): string {
  return text.replace(ESCAPES, '');
}

/**
 * Text that cannot move the cursor or recolour a terminal: escapes and control
 * bytes removed, tab and newline kept (a lone `\r` is dropped, not a newline).
 */
export function plainText(text: string): string {
  return stripEscapes(text).replace(CONTROL, '');
}

/**
 * Guest output made safe to embed in any report: no escapes, no control bytes,
 * `\r\n` and lone `\r` become `\n`, no lone surrogates, and bidi controls shown
 * as their escapes (`\u202e`), so no text can reorder what a reviewer reads.
 */
export function cleanText(text: string | undefined): string {
  if (!text) return '';
  return showBidi(stripEscapes(text).replace(/\r\n?/g, '\n').replace(UNSAFE, ''));
}
