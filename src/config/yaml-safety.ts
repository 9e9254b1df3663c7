// What a YAML document may cost before it becomes a value: aliases are bounded
// by the size they expand to (an alias bomb grows exponentially; a hundred
// harmless aliases of one scalar do not), every alias names an anchor written
// before it, and no map key is `__proto__` (a plain object would drop it).

import { type Alias, type Document, isAlias, isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import { MAX_YAML_NODES } from './bounds.js';

export interface UnsafeNode {
  /** Offset in the text of the node to blame. */
  offset: number;
  problem: string;
  fix: string;
}

class Unsafe extends Error {
  constructor(readonly found: UnsafeNode) {
    super(found.problem);
  }
}

const offsetOf = (node: unknown) => (node as Node | null)?.range?.[0] ?? 0;

function children(node: Node): unknown[] {
  if (isMap(node)) return node.items.flatMap((p) => [p.key, p.value]);
  if (isSeq(node)) return node.items.flatMap((item) => (isPair(item) ? [item.key, item.value] : [item]));
  return [];
}

/** Counts the nodes `doc.toJS()` would build, each anchor's tree once (memo), failing fast past the bound. */
/** The node an alias names, refusing one that names nothing or the value holding it. */
function aliasTarget(doc: Document, alias: Alias, open: Set<unknown>): unknown {
  const target = alias.resolve(doc);
  const at = offsetOf(alias);
  if (!target) {
    const fix = `write &${alias.source} on a value before this alias, or remove the alias`;
    throw new Unsafe({ offset: at, problem: `alias *${alias.source} names no anchor`, fix });
  }
  if (open.has(target)) {
    const fix = 'an alias cannot refer to a value that contains it';
    throw new Unsafe({ offset: at, problem: `alias *${alias.source} is inside the value it names`, fix });
  }
  return target;
}

function expandedSize(doc: Document, node: unknown, memo: Map<unknown, number>, open: Set<unknown>): number {
  if (!node || typeof node !== 'object') return 1;
  if (isAlias(node)) return expandedSize(doc, aliasTarget(doc, node, open), memo, open);
  const known = memo.get(node);
  if (known !== undefined) return known;
  const reserved = isMap(node) ? node.items.find((p) => isScalar(p.key) && p.key.value === '__proto__') : undefined;
  if (reserved) {
    throw new Unsafe({
      offset: offsetOf(reserved.key),
      problem: 'the key __proto__ is reserved',
      fix: 'rename the key',
    });
  }
  open.add(node);
  let size = 1;
  for (const child of children(node as Node)) {
    size += expandedSize(doc, child, memo, open);
    if (size > MAX_YAML_NODES) {
      throw new Unsafe({
        offset: offsetOf(child),
        problem: `the document expands to more than ${MAX_YAML_NODES} values here (aliases repeat what their anchor holds)`,
        fix: 'write fewer or smaller aliases',
      });
    }
  }
  open.delete(node);
  memo.set(node, size);
  return size;
}

/** The first thing that makes the document unsafe to turn into a value, or undefined. */
export function unsafeNode(doc: Document): UnsafeNode | undefined {
  try {
    expandedSize(doc, doc.contents, new Map(), new Set());
    return undefined;
  } catch (error) {
    if (error instanceof Unsafe) return error.found;
    throw error;
  }
}

/** Lone `\r` line ends (classic Mac) as `\n`; `\r\n` stays, so offsets and columns do not move. */
export function normaliseLineEnds(text: string): string {
  return text.replace(/\r(?!\n)/g, '\n');
}
