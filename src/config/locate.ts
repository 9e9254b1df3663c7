// Maps a path in the parsed value (e.g. ['kernels', 1, 'source']) back to the
// YAML node it came from, so every error can name `file:line:col`.

import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

export type PathKey = string | number;
export interface Position {
  line: number;
  col: number;
}

/** `kernels[1].source`; the top level is called `matrix`. */
export function fieldName(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${key}` : key;
  return out || 'matrix';
}

interface Found {
  /** The node at the deepest path element that exists. */
  node: Node | null;
  /** The key node of the last map step taken (where `key:` is written). */
  key: Node | null;
  /** How many path elements were found. */
  depth: number;
}

function walk(doc: Document, path: readonly PathKey[]): Found {
  let node = doc.contents as Node | null;
  let key: Node | null = null;
  let depth = 0;
  for (const step of path) {
    if (node && isAlias(node)) node = (node.resolve(doc) as Node | undefined) ?? null;
    let next: Node | null | undefined;
    let nextKey: Node | null = null;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) break;
      next = pair.value as Node | null;
      nextKey = pair.key as Node;
    } else if (isSeq(node) && typeof step === 'number') {
      next = node.items[step] as Node | null | undefined;
      if (next === undefined) break;
    } else break;
    // An empty value (`memory:`) has no useful range of its own: point at its key.
    if (next === null || (isScalar(next) && next.value === null && nextKey)) {
      return { node: nextKey ?? node, key: nextKey, depth: depth + 1 };
    }
    node = next;
    key = nextKey;
    depth++;
  }
  return { node, key, depth };
}

export class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  at(offset: number): Position {
    return this.lines.linePos(offset);
  }

  private start(node: Node | null): Position {
    return this.at(node?.range?.[0] ?? 0);
  }

  /** Where the value at `path` is written (or its nearest written ancestor). */
  value(path: readonly PathKey[]): Position {
    const found = walk(this.doc, path);
    // A missing key is reported where its parent map's key is written.
    if (found.depth < path.length && found.key) return this.start(found.key);
    return this.start(found.node);
  }

  /** Where the key of the map entry at `path` is written (for unknown keys). */
  key(path: readonly PathKey[]): Position {
    const found = walk(this.doc, path);
    return this.start(found.depth === path.length ? (found.key ?? found.node) : found.node);
  }
}
