// Reads a results dir back into the model: `results.json` when the run finished,
// else the per-cell files an interrupted run left in `cells/`.

import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ARCHES } from '../core/arch.js';
import { byId } from '../core/cell.js';
import { UsageError } from '../errors.js';
import { VERSION } from '../version.js';
import { type CellResult, READABLE_VERSIONS, type RunResults, SCHEMA_VERSION, STATUSES } from './model.js';
import { upgradeCell } from './tests.js';

// Checks what the reports rely on; unknown fields pass through untouched so a
// newer writer's extra (optional) fields survive a re-render.
const cellSchema = z.looseObject({
  id: z.string().min(1),
  arch: z.enum(ARCHES),
  kernel: z.looseObject({ source: z.string(), name: z.string() }),
  config: z.string(),
  libc: z.string(),
  status: z.enum(STATUSES),
  timings: z.looseObject({ totalMs: z.number() }),
  timedOut: z.boolean(),
  bootFailed: z.boolean(),
  attempts: z.number(),
  stdout: z.string(),
  stderr: z.string(),
  dmesg: z.string(),
  kernelLog: z.string().optional(),
  retriedAfter: z.array(z.string()).optional(),
  consoleTail: z.string(),
});

// A shard's whole plan: the merge builds the missing cells from it.
const planSchema = z.looseObject({
  shards: z.number().int().min(1),
  cells: z.array(
    z.looseObject({
      id: z.string().min(1),
      arch: z.enum(ARCHES),
      kernel: z.looseObject({ source: z.string(), name: z.string() }),
      config: z.string(),
      libc: z.string(),
      shard: z.number().int().min(1),
      tests: z.array(z.looseObject({ name: z.string(), kind: z.enum(['exec', 'gotest']) })),
    }),
  ),
});

const resultsSchema = z.looseObject({
  schemaVersion: z.union(READABLE_VERSIONS.map((v) => z.literal(v))),
  tool: z.looseObject({ name: z.literal('portmatrix'), version: z.string() }),
  matrix: z.string(),
  startedAt: z.string(),
  host: z.looseObject({ arch: z.string(), cpus: z.number(), node: z.string() }),
  cells: z.array(cellSchema),
  verdict: z
    .looseObject({
      exitCode: z.number(),
      strict: z.boolean(),
      ok: z.boolean(),
      failed: z.array(z.string()),
      infra: z.array(z.string()),
    })
    .optional(),
  plan: planSchema.optional(),
});

/** The per-cell file name the run engine uses: the id with `/` replaced by `__`. */
export function cellFileName(id: string): string {
  return `${id.replaceAll('/', '__')}.json`;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON (${(error as Error).message}); re-run the cells or remove the file`, { cause: error });
  }
}

function describe(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid';
}

function checkVersion(file: string, data: unknown): void {
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (!(READABLE_VERSIONS as readonly unknown[]).includes(version)) {
    throw new UsageError(
      `${file} has schemaVersion ${JSON.stringify(version)}, this portmatrix reads ${READABLE_VERSIONS.join(' and ')}; ` +
        'use the portmatrix version that wrote it, or re-run the matrix',
    );
  }
}

/** Reads and validates one results dir. Throws UsageError naming the path on any problem. */
export async function readResults(dir: string): Promise<RunResults> {
  const file = path.join(dir, 'results.json');
  if (await exists(file)) {
    const data = await readJson(file);
    checkVersion(file, data);
    const parsed = resultsSchema.safeParse(data);
    if (!parsed.success) throw new UsageError(`${file} is not a portmatrix results file: ${describe(parsed.error)}`);
    // The original object, not zod's copy: key order (and so results.json bytes) is preserved.
    const results = data as RunResults;
    if ((data as { schemaVersion: number }).schemaVersion === SCHEMA_VERSION) return results;
    // Version 1: each cell ran one loader, which reads as one test named `loader`.
    return { ...results, schemaVersion: SCHEMA_VERSION, cells: results.cells.map(upgradeCell) };
  }
  const cellsDir = path.join(dir, 'cells');
  if (await exists(cellsDir)) return assembleFromCells(cellsDir);
  throw new UsageError(`no results in ${dir}: neither results.json nor cells/ exists; run \`portmatrix run --results-dir ${dir}\` first`);
}

/** An interrupted run: rebuild the model from the cells that finished. */
async function assembleFromCells(cellsDir: string): Promise<RunResults> {
  const names = (await readdir(cellsDir)).filter((n) => n.endsWith('.json')).sort();
  const cells: CellResult[] = [];
  for (const name of names) {
    const file = path.join(cellsDir, name);
    const data = await readJson(file);
    const parsed = cellSchema.safeParse(data);
    if (!parsed.success) throw new UsageError(`${file} is not a portmatrix cell result: ${describe(parsed.error)}`);
    cells.push(upgradeCell(data as CellResult));
  }
  cells.sort(byId);
  const started = cells
    .map((c) => c.startedAt)
    .filter((s): s is string => !!s)
    .sort();
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'portmatrix', version: VERSION },
    matrix: '',
    startedAt: started[0] ?? '',
    // No finishedAt: the run did not finish.
    host: { arch: 'unknown', cpus: 0, node: 'unknown' },
    cells,
  };
}
