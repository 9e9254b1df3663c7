// `npm run shape`: lists the functions in src/ longer than 40 lines, longest first, and
// exits 1 when there are any. A template literal of more than 3 lines (a shell script,
// an HTML page) counts as one line: it is data that reads top to bottom, not steps.
// test/architecture/shape.test.ts holds src/ to the same measure.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const MAX_FUNCTION_LINES = 40;
export const MAX_FILE_LINES = 300;

export interface LongFunction {
  file: string;
  line: number;
  name: string;
  lines: number;
}

export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .filter((f) => f.endsWith('.ts'))
    .sort();
}

function functionName(node: ts.FunctionLikeDeclaration): string {
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    return parent.name.getText();
  }
  return '<anonymous>';
}

/** Lines a template literal adds beyond its first, for each outermost literal of more than 3 lines. */
function templateExtraLines(node: ts.Node, sf: ts.SourceFile): number {
  if (ts.isTemplateExpression(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
    const lines = lineOf(sf, node.getEnd()) - lineOf(sf, node.getStart(sf)) + 1;
    return lines > 3 ? lines - 1 : 0;
  }
  let extra = 0;
  node.forEachChild((child) => {
    extra += templateExtraLines(child, sf);
  });
  return extra;
}

const lineOf = (sf: ts.SourceFile, pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;

/** Every function, method and arrow function in one file with its length in lines. */
export function functionLengths(file: string, text: string): LongFunction[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const fn = node as ts.FunctionLikeDeclaration;
      const line = lineOf(sf, fn.getStart(sf));
      const lines = lineOf(sf, fn.getEnd()) - line + 1 - templateExtraLines(fn, sf);
      out.push({ file, line, name: functionName(fn), lines });
    }
    node.forEachChild(visit);
  };
  visit(sf);
  return out;
}

/** Functions over the limit under `dir`, longest first; `file` is relative to `base`. */
export function longFunctions(dir: string, base = dir): LongFunction[] {
  return sourceFiles(dir)
    .flatMap((f) => functionLengths(path.relative(base, f), readFileSync(f, 'utf8')))
    .filter((fn) => fn.lines > MAX_FUNCTION_LINES)
    .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line);
}

/** Files over the limit under `dir` with their line counts, longest first. */
export function longFiles(dir: string, base = dir): { file: string; lines: number }[] {
  return sourceFiles(dir)
    .map((f) => ({ file: path.relative(base, f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
    .filter((f) => f.lines > MAX_FILE_LINES)
    .sort((a, b) => b.lines - a.lines);
}

function main(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const long = longFunctions(path.join(root, 'src'), root);
  for (const fn of long) console.log(`${fn.file}:${fn.line} ${fn.name} ${fn.lines} lines`);
  console.log(`${long.length} functions over ${MAX_FUNCTION_LINES} lines`);
  process.exitCode = long.length > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
