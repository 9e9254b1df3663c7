// Reads matrix.yaml into a validated Matrix. Three layers, each failing with one
// located line (`matrix.yaml:LINE:COL: field: problem; fix`, exit 2):
// YAML syntax (yaml's own positions), structure and types (zod, strict objects),
// then meaning (semantic.ts). plan/load.ts adds the warnings that need the cells.

import fs from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, UsageError } from '../errors.js';
import { MAX_MATRIX_BYTES } from './bounds.js';
import { fieldName, Locator, type PathKey, type Position } from './locate.js';
import type { Matrix } from './matrix.js';
import { genericFix, KEYS, matrixSchema } from './schema.js';
import { buildMatrix } from './semantic.js';
import { nearest, show } from './suggest.js';
import { normaliseLineEnds, unsafeNode } from './yaml-safety.js';
import { syntaxProblem } from './yaml-syntax.js';

export interface LoadOptions {
  /** Check that the loader exists for every arch of the matrix (`run` wants it; `plan` runs before the build); default false. */
  checkLoaderFiles?: boolean;
  /** Base of a relative `file`; default process.cwd(). */
  cwd?: string;
  /** --allow-outside-project, checked by config/confine.ts allowOutsideFlag; default false. */
  allowOutsideProject?: boolean;
  /** The command's environment (GITHUB_EVENT_NAME decides whether paths outside the project may be allowed); default none. */
  env?: NodeJS.ProcessEnv;
}

interface Problem extends Position {
  path: PathKey[];
  problem: string;
  fix: string;
}

/** How the file is named in messages: as the user gave it, or relative to cwd when inside it. */
function displayName(file: string, cwd: string): string {
  if (!path.isAbsolute(file)) return file;
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  input?: unknown;
  keys?: string[];
  values?: unknown[];
}

function describeIssue(issue: ZodIssueLike, where: Locator): Problem {
  const at = issue.path.filter((k): k is PathKey => typeof k !== 'symbol');
  if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
    const key = issue.keys[0]!;
    const valid = KEYS[at.filter((k) => typeof k === 'string').join('.')] ?? [];
    const guess = nearest(key, valid);
    return {
      path: [...at, key],
      ...where.key([...at, key]),
      problem: 'unknown key',
      fix: `valid keys here are ${valid.join(', ')}${guess ? ` (did you mean ${guess}?)` : ''}`,
    };
  }
  const guess = issue.code === 'invalid_value' && typeof issue.input === 'string' && issue.values ? nearest(issue.input, issue.values.map(String)) : undefined;
  const fix = `${issue.message}${guess ? ` (did you mean ${guess}?)` : ''}`;
  let problem: string;
  if (issue.input === undefined) problem = 'is missing';
  else if (issue.code === 'invalid_type') problem = `got ${typeof issue.input === 'number' ? 'the number ' : ''}${show(issue.input)}`;
  else if (issue.code === 'too_small' || issue.code === 'too_big') problem = `${show(issue.input)} is out of range`;
  else problem = `${show(issue.input)} is not valid`;
  return { path: at, ...where.value(at), problem, fix };
}

async function readText(abs: string, shown: string): Promise<string> {
  try {
    const st = await fs.promises.stat(abs);
    if (!st.isFile()) throw new UsageError(`${shown}: not a regular file; pass --matrix <file> naming a matrix.yaml`);
    if (st.size > MAX_MATRIX_BYTES) throw new UsageError(`${shown}: ${st.size} bytes, more than the ${MAX_MATRIX_BYTES} a matrix may have; split it`);
    return await fs.promises.readFile(abs, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `${shown}: not found; write one with \`portmatrix init\` or pass --matrix <file>`
        : `${shown}: cannot read it (${code ?? String(error)}); check the path and its permissions`,
      { cause: error },
    );
  }
}

type Fail = (p: Position, at: PathKey[] | string, problem: string, fix: string) => never;

/** Structure and types (zod); on failure, the issue written first in the file. */
function validate(doc: ReturnType<typeof parseDocument>, where: Locator, fail: Fail) {
  // Aliases are bounded by yaml-safety.ts, by expanded size rather than count.
  const parsed = matrixSchema.safeParse(doc.toJS({ maxAliasCount: -1 }), {
    reportInput: true,
    error: (issue) => genericFix(issue as { code?: string; expected?: string }),
  });
  if (parsed.success) return parsed.data;
  // Report the issue written first in the file, whatever order the schema found them in.
  const problems = (parsed.error.issues as unknown as ZodIssueLike[]).map((i) => describeIssue(i, where));
  const first = problems.reduce((a, b) => (b.line < a.line || (b.line === a.line && b.col < a.col) ? b : a));
  return fail(first, first.path, first.problem, first.fix);
}

/** The validated matrix, and the file's name as messages show it. */
export async function readMatrix(file: string, opts: LoadOptions = {}): Promise<{ matrix: Matrix; shown: string }> {
  const cwd = opts.cwd ?? process.cwd();
  const abs = path.resolve(cwd, file);
  const shown = displayName(file, cwd);
  const text = normaliseLineEnds(await readText(abs, shown));
  const fail: Fail = (p, at, problem, fix) => {
    throw new ConfigError(shown, p.line, p.col, typeof at === 'string' ? at : fieldName(at), problem, fix);
  };
  if (text.length > MAX_MATRIX_BYTES)
    fail(
      { line: 1, col: 1 },
      'matrix',
      `the file has ${text.length} characters, more than ${MAX_MATRIX_BYTES}`,
      'a matrix is a short list of axes: split it, or generate fewer entries',
    );

  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const { problem, fix, ...pos } = syntaxProblem(text, syntax, lines);
    fail(pos, 'yaml', problem, fix);
  }
  if (doc.contents === null) fail({ line: 1, col: 1 }, 'matrix', 'the file is empty', 'write at least kernels, arches and loader (see docs/matrix.md)');

  const unsafe = unsafeNode(doc);
  if (unsafe) fail(lines.linePos(unsafe.offset), 'yaml', unsafe.problem, unsafe.fix);

  const where = new Locator(doc, lines);
  const matrix = buildMatrix(validate(doc, where, fail), {
    file: abs,
    checkLoaderFiles: opts.checkLoaderFiles ?? false,
    allowOutsideProject: opts.allowOutsideProject ?? false,
    env: opts.env ?? {},
    fail: (at, problem, fix) => fail(where.value(at), at, problem, fix),
    lineOf: (at) => where.value(at),
    written: (at) => doc.hasIn(at),
  });
  return { matrix, shown };
}
