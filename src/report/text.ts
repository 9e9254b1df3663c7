// Text helpers shared by the report formats. Guest text is made plain by
// core/plain-text.ts first; the format's own escaping comes after.

import { cleanText } from '../core/plain-text.js';

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
