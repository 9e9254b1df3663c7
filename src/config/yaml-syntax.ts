// A YAML syntax error as one located line. The yaml parser reports where it
// noticed the problem; for an unclosed `[` or `{` that is the next line, so the
// bracket the user left open is found in the parser's own token tree (CST) and
// named first, with where the parser stopped.

import { CST, type LineCounter, Parser, type YAMLError } from 'yaml';
import type { Position } from './locate.js';

export interface SyntaxProblem extends Position {
  problem: string;
  fix: string;
}

/** Offsets of the flow collections (`[ … ]`, `{ … }`) that never reach their closing bracket. */
function unclosedBrackets(text: string): { offset: number; bracket: string }[] {
  const open: { offset: number; bracket: string }[] = [];
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    CST.visit(token, (item) => {
      const node = item.value ?? item.key;
      if (node?.type !== 'flow-collection') return;
      const closer = node.start.type === 'flow-seq-start' ? 'flow-seq-end' : 'flow-map-end';
      if (!node.end.some((t) => t.type === closer)) open.push({ offset: node.start.offset, bracket: node.start.source });
    });
  }
  return open;
}

export function syntaxProblem(text: string, error: YAMLError, lines: LineCounter): SyntaxProblem {
  const stopped = lines.linePos(error.pos[0]);
  const first = error.message.split('\n')[0]!.replace(/\.$/, '');
  const said = first.charAt(0).toLowerCase() + first.slice(1);
  const wanted = /end with a ([\]}])/.exec(first)?.[1];
  if (wanted) {
    const bracket = wanted === ']' ? '[' : '{';
    const open = unclosedBrackets(text)
      .filter((b) => b.bracket === bracket && b.offset < error.pos[0])
      .at(-1);
    if (open) {
      const at = lines.linePos(open.offset);
      return {
        ...at,
        problem: `this ${bracket} is never closed (the parser stopped at line ${stopped.line}, column ${stopped.col}: ${said})`,
        fix: `add the missing ${wanted} where the ${bracket === '[' ? 'list' : 'map'} ends, on the same line`,
      };
    }
  }
  const lineText = text.split('\n')[stopped.line - 1] ?? '';
  // `files: [bpf/{arch}.o]` is the classic: inside [ ] or { }, an unquoted { starts a map.
  const fix =
    error.code === 'DUPLICATE_KEY'
      ? 'write each key once'
      : /[[{][^\]}]*\{/.test(lineText)
        ? 'quote values containing { } inside [ ] or { }, e.g. ["bpf/{arch}.o"]'
        : 'fix the YAML syntax';
  return { ...stopped, problem: said, fix };
}
