// The shape of src/, checked from the TypeScript imports themselves: no import
// cycle between folders nor between files, core/ depends on nothing, and the
// report views depend on the results model, never on the engine (engine/, boot/).

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

const SRC = path.join(repoRoot, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** file (relative to src/) → the src files it imports, type-only and dynamic imports included. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((i) => i.fileName)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => path.relative(SRC, path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'))));
    graph.set(path.relative(SRC, file), targets);
  }
  return graph;
}

/** A top-level file (cli.ts, errors.ts) is its own unit; anything else belongs to its folder. */
const unit = (file: string) => (file.includes('/') ? file.split('/')[0]! : file.replace(/\.ts$/, ''));

function folderGraph(files: Map<string, string[]>): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const [from, targets] of files) {
    const set = out.get(unit(from)) ?? new Set();
    for (const t of targets) if (unit(t) !== unit(from)) set.add(unit(t));
    out.set(unit(from), set);
  }
  return new Map([...out].map(([k, v]) => [k, [...v]]));
}

/** Every cycle's members (Tarjan's strongly connected components of more than one node, or a self-import). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do component.push((w = stack.pop()!));
    while (w !== v);
    if (component.length > 1 || graph.get(v)?.includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const files = importGraph();
const folders = folderGraph(files);

describe('src/ imports', () => {
  it('the cycle finder finds a folder cycle like the config ↔ plan one this repo had', () => {
    const g = new Map([
      ['config', ['plan', 'errors']],
      ['plan', ['config']],
      ['errors', []],
    ]);
    expect(cycles(g)).toEqual([['config', 'plan']]);
  });

  it('has no import cycle between folders', () => {
    expect(cycles(folders)).toEqual([]);
  });

  it('has no import cycle between files', () => {
    expect(cycles(files)).toEqual([]);
  });

  it('keeps core/ free of every other folder', () => {
    expect(folders.get('core')).toEqual([]);
  });

  it('keeps the report views on the results model: report/ never imports the engine', () => {
    const engine = ['engine', 'boot', 'outcome', 'vm', 'guest', 'images', 'plan', 'config'];
    expect(folders.get('report')?.filter((f) => engine.includes(f))).toEqual([]);
    // What it may use: the model, shared types and text, atomic writes, error types.
    expect(folders.get('report')?.sort()).toEqual(['core', 'errors', 'host', 'results', 'suite']);
  });

  it('keeps the event stream apart from its producers and subscribers', () => {
    expect(folders.get('events')?.sort()).toEqual(['core', 'results']);
  });
});

/**
 * The "may import" column of docs/architecture.md's module table, read as data: the
 * folders each folder may import. "everything" (and "everything above", for the
 * engine folders) allows any folder; "nothing" and "—" allow none.
 */
function documentedImports(): Map<string, Set<string> | 'any'> {
  const doc = readFileSync(path.join(repoRoot, 'docs/architecture.md'), 'utf8');
  const rows = [...doc.matchAll(/^\| `([a-z]+)\/` \| .* \| ([^|]+) \|$/gm)];
  const table = new Map<string, Set<string> | 'any'>();
  for (const [, folder, allowed] of rows) {
    const text = allowed!.trim();
    const any = /^everything/.test(text) || /and everything/.test(text);
    const names = text === 'nothing' || text === '—' ? [] : text.split(',').map((s) => s.trim());
    table.set(folder!, any ? 'any' : new Set(names));
  }
  return table;
}

describe('docs/architecture.md', () => {
  const TOP = new Set(['cli', 'context', 'errors', 'version']);
  const documented = documentedImports();

  it('lists every folder of src/ in its module table', () => {
    const realFolders = [...folders.keys()].filter((f) => !TOP.has(f)).sort();
    expect([...documented.keys()].sort()).toEqual(realFolders);
  });

  it("holds each folder's imports to the table's may-import column", () => {
    const beyond: string[] = [];
    for (const [folder, targets] of folders) {
      const allowed = documented.get(folder);
      if (!allowed || allowed === 'any') continue;
      for (const t of targets) if (!TOP.has(t) && !allowed.has(t)) beyond.push(`${folder} → ${t}`);
    }
    expect(beyond).toEqual([]);
  });
});
