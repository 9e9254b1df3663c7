// Inline SVG: boot time vs loader time per cell, as stacked horizontal bars,
// grouped under a heading per arch so arches are told apart by position and
// label, not by colour. Pure: results in, escaped SVG markup out.

import type { CellResult, RunResults } from '../results/model.js';
import { escapeMarkup, formatMs, oneLine } from './text.js';
import { buildGrid } from './view.js';

const LABEL_W = 250;
const BAR_W = 560;
const VALUE_W = 90;
const ROW_H = 22;
const GROUP_H = 26;
const TOP = 34;
const TICKS = 5;

const e = (text: string) => escapeMarkup(oneLine(text, 120));

interface Segment {
  kind: 'boot' | 'loader' | 'other';
  ms: number;
}

function segments(cell: CellResult): Segment[] {
  const boot = cell.timings.bootMs ?? 0;
  const loader = cell.timings.loaderMs ?? 0;
  // Whatever is neither boot nor loader: image preparation, shutdown, retries.
  const other = Math.max(0, cell.timings.totalMs - boot - loader);
  return [
    { kind: 'boot' as const, ms: boot },
    { kind: 'loader' as const, ms: loader },
    { kind: 'other' as const, ms: other },
  ].filter((s) => s.ms > 0);
}

/** A "nice" axis maximum in seconds: 1, 2, 5 × 10^n. */
function niceMax(seconds: number): number {
  const base = 10 ** Math.floor(Math.log10(Math.max(seconds, 1)));
  return [1, 2, 5, 10].map((m) => m * base).find((v) => v >= seconds) ?? seconds;
}

/** The legend, and the vertical tick lines (their bottom is filled in once known). */
function legendAndTicks(): string[] {
  const parts: string[] = [];
  const legend: [string, string][] = [
    ['boot', 'boot (QEMU start → loader start)'],
    ['loader', 'loader'],
    ['other', 'other (setup, shutdown, retries)'],
  ];
  let lx = LABEL_W;
  for (const [kind, text] of legend) {
    parts.push(`<rect x="${lx}" y="6" width="12" height="12" rx="2" fill="var(--${kind})"/><text x="${lx + 17}" y="16">${e(text)}</text>`);
    lx += 28 + text.length * 6.4;
  }
  for (let i = 0; i <= TICKS; i++) {
    const x = LABEL_W + (BAR_W * i) / TICKS;
    parts.push(`<line x1="${x}" x2="${x}" y1="${TOP - 4}" y2="@BOTTOM@" stroke="var(--line)" stroke-width="1"/>`);
  }
  return parts;
}

/** One cell's row at height y: label, stacked segments (clipped past the axis), total. */
function cellRow(cell: CellResult, y: number, scale: number): string[] {
  const label = `${cell.kernel.name} · ${cell.id.split('/').slice(2).join(' · ') || cell.config}`;
  const parts = [
    `<g><title>${e(`${cell.id}: boot ${formatMs(cell.timings.bootMs)}, loader ${formatMs(cell.timings.loaderMs)}, total ${formatMs(cell.timings.totalMs)} (${cell.status})`)}</title>`,
    `<text x="12" y="${y + 15}">${e(label)}</text>`,
  ];
  let x = LABEL_W;
  const clipped = cell.timings.totalMs * scale > BAR_W;
  for (const seg of segments(cell)) {
    const w = Math.min(seg.ms * scale, LABEL_W + BAR_W - x);
    if (w <= 0) break;
    parts.push(`<rect x="${x.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW_H - 6}" fill="var(--${seg.kind})"/>`);
    if (seg.kind !== 'other' && w > 54) parts.push(`<text class="in" x="${(x + 5).toFixed(1)}" y="${y + 15}">${e(formatMs(seg.ms))}</text>`);
    x += w;
  }
  if (clipped) parts.push(`<path d="M${x - 14} ${y + 21} l6 -20 m4 20 l6 -20" stroke="var(--bg)" stroke-width="3"/>`);
  parts.push(
    `<text class="muted" x="${(x + 6).toFixed(1)}" y="${y + 15}">${e(`${formatMs(cell.timings.totalMs)}${cell.status === 'pass' ? '' : ` · ${cell.status}`}`)}</text></g>`,
  );
  return parts;
}

export function renderChart(results: RunResults): string {
  const grid = buildGrid(results);
  const groups = grid.arches
    .map((arch) => ({
      arch,
      cells: grid.rows.map((r) => r.cells[arch]).filter((c): c is CellResult => !!c && c.status !== 'skip' && c.timings.totalMs > 0),
    }))
    .filter((g) => g.cells.length);
  if (!groups.length) return '<p class="legend">No timings to chart.</p>';

  // A timed-out cell (60 s of nothing) would squash every other bar: scale to the
  // cells that finished and draw the timed-out ones clipped with a break mark.
  const all = groups.flatMap((g) => g.cells);
  const finished = all.filter((c) => !c.timedOut);
  const maxS = niceMax(Math.max(...(finished.length ? finished : all).map((c) => c.timings.totalMs)) / 1000);
  const scale = BAR_W / (maxS * 1000);
  const parts = legendAndTicks();
  let y = TOP;
  for (const group of groups) {
    parts.push(`<text class="arch" x="0" y="${y + 17}">${e(group.arch)}</text>`);
    y += GROUP_H;
    for (const cell of group.cells) {
      parts.push(...cellRow(cell, y, scale));
      y += ROW_H;
    }
  }
  for (let i = 0; i <= TICKS; i++) {
    const x = LABEL_W + (BAR_W * i) / TICKS;
    parts.push(`<text class="axis" x="${x}" y="${y + 16}" text-anchor="middle">${e(`${((maxS * i) / TICKS).toFixed(maxS < 5 ? 1 : 0)} s`)}</text>`);
  }
  const height = y + 24;
  const body = parts.join('\n').replaceAll('@BOTTOM@', String(y));
  const width = LABEL_W + BAR_W + VALUE_W;
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Boot and loader time per cell, grouped by architecture" xmlns="http://www.w3.org/2000/svg">\n${body}\n</svg>`;
}
