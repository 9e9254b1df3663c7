// Reading results dirs back, merging shards, and `portmatrix report` end to end.

import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import report from '../../src/commands/report.js';
import type { Context } from '../../src/context.js';
import { UsageError } from '../../src/errors.js';
import { parseReporters, serializeResults, writeReports } from '../../src/report/index.js';
import { mergeResults } from '../../src/results/merge.js';
import type { RunResults } from '../../src/results/model.js';
import { cellFileName, readResults } from '../../src/results/read.js';
import { cellResult, runResults, testResult } from '../helpers/cells.js';
import { fixtureResults, fixtureShards } from '../report/fixture.js';

const tmp = () => mkdtemp(path.join(tmpdir(), 'pm-results-'));

/** Writes a results dir the way the run engine does: results.json + cells/*.json. */
async function writeRunDir(dir: string, results: RunResults, withSummary = true): Promise<void> {
  await mkdir(path.join(dir, 'cells'), { recursive: true });
  for (const cell of results.cells) await writeFile(path.join(dir, 'cells', cellFileName(cell.id)), JSON.stringify(cell, null, 2));
  if (withSummary) await writeFile(path.join(dir, 'results.json'), serializeResults(results));
}

const normaliseTimes = (json: string) => json.replace(/"(startedAt|finishedAt)": "[^"]*"/g, '"$1": "<time>"');

function fakeContext(cwd: string): Context & { out: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let text = '';
  stdout.on('data', (d) => (text += d));
  return { cwd, env: {}, stdout, stderr, signal: new AbortController().signal, out: () => text };
}

describe('readResults', () => {
  it('reads results.json back unchanged', async () => {
    const dir = await tmp();
    await writeRunDir(dir, fixtureResults());
    const read = await readResults(dir);
    expect(serializeResults(read)).toBe(serializeResults(fixtureResults()));
  });

  it('assembles an interrupted run from cells/ when results.json is missing', async () => {
    const dir = await tmp();
    const full = fixtureResults();
    await writeRunDir(dir, { ...full, cells: full.cells.slice(0, 4) }, false);
    const read = await readResults(dir);
    expect(read.cells.map((c) => c.id)).toEqual(full.cells.slice(0, 4).map((c) => c.id));
    expect(read.finishedAt).toBeUndefined();
    expect(read.startedAt).toBe('2025-06-01T10:00:00.000Z');
  });

  it('names the path of a missing, corrupt, foreign or future file', async () => {
    const dir = await tmp();
    await expect(readResults(path.join(dir, 'nope'))).rejects.toThrow(new RegExp(`no results in ${path.join(dir, 'nope')}`));

    await writeFile(path.join(dir, 'results.json'), '{"schemaVersion": 1, "cells": [');
    await expect(readResults(dir)).rejects.toThrow(`${path.join(dir, 'results.json')} is not valid JSON`);

    await writeFile(path.join(dir, 'results.json'), JSON.stringify({ ...fixtureResults(), schemaVersion: 3 }));
    await expect(readResults(dir)).rejects.toThrow(/results\.json has schemaVersion 3, this portmatrix reads 1 and 2/);

    const bad = fixtureResults();
    (bad.cells[3] as { status: string }).status = 'passed';
    await writeFile(path.join(dir, 'results.json'), JSON.stringify(bad));
    const error = await readResults(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(/results\.json is not a portmatrix results file: cells\.3\.status/);

    const cellsOnly = await tmp();
    await mkdir(path.join(cellsOnly, 'cells'));
    await writeFile(path.join(cellsOnly, 'cells', 'amd64__x__y.json'), 'garbage');
    await expect(readResults(cellsOnly)).rejects.toThrow(`${path.join(cellsOnly, 'cells', 'amd64__x__y.json')} is not valid JSON`);
  });
});

describe('mergeResults', () => {
  it('merging shards gives the unsharded results.json byte for byte (timestamps aside)', async () => {
    const shards = fixtureShards(3);
    // Shard order must not matter.
    const merged = mergeResults([shards[2]!, shards[0]!, shards[1]!].map((results, i) => ({ dir: `shard-${i}`, results })));
    expect(normaliseTimes(serializeResults(merged))).toBe(normaliseTimes(serializeResults(fixtureResults())));
    expect(merged.startedAt).toBe('2025-06-01T10:00:00.000Z');
    expect(merged.finishedAt).toBe('2025-06-01T10:02:59.000Z');
  });

  it('accepts identical duplicates and lets a real outcome replace a skip', () => {
    const a = fixtureResults();
    const b = fixtureResults();
    const id = 'amd64/debian-bookworm/default';
    const skipped = {
      ...a,
      cells: a.cells.map((c) => (c.id === id ? { ...c, status: 'skip' as const, reason: 'not in this shard' } : c)),
    };
    const merged = mergeResults([
      { dir: 'a', results: skipped },
      { dir: 'b', results: b },
    ]);
    expect(merged.cells).toHaveLength(11);
    expect(merged.cells.find((c) => c.id === id)?.status).toBe('pass');
  });

  it('refuses conflicting duplicates, naming both dirs and the cell', () => {
    const a = fixtureResults();
    const b = fixtureResults();
    b.cells = b.cells.map((c) => (c.id === 'amd64/debian-bookworm/default' ? { ...c, status: 'fail', reason: 'changed' } : c));
    expect(() =>
      mergeResults([
        { dir: '/r/shard-1', results: a },
        { dir: '/r/shard-2', results: b },
      ]),
    ).toThrow('cell amd64/debian-bookworm/default has conflicting results in /r/shard-1 and /r/shard-2 (status pass vs fail)');
    const c = fixtureResults();
    c.cells[0] = { ...c.cells[0]!, inputsHash: 'sha256:other' };
    expect(() =>
      mergeResults([
        { dir: 'x', results: a },
        { dir: 'y', results: c },
      ]),
    ).toThrow(/in x and y \(inputsHash .* vs sha256:other\)/);
    expect(() => mergeResults([])).toThrow(UsageError);
  });

  it("contrasts a failing test's kernel with one it passed on in another shard", () => {
    const kernel = (name: string, options: [string, string][]) => {
      const opts = options.map(([n, value]) => ({ name: n, value, area: 'probes' }));
      const facts = { release: name, btfSource: 'kernel' as const, helpers: 1, kfuncs: 0 };
      return { kernel: name, arch: 'amd64', ...facts, options: opts };
    };
    const shard = (id: string, status: 'pass' | 'fail', k: ReturnType<typeof kernel>) => {
      const tests = [testResult({ status })];
      const cell = cellResult({ id, kernel: { source: k.kernel, name: k.kernel }, status, tests });
      return runResults([cell], { check: { version: 1, cells: [], kernels: [k] } });
    };
    const merged = mergeResults([
      { dir: 'a', results: shard('amd64/old/default', 'fail', kernel('old', [])) },
      { dir: 'b', results: shard('amd64/new/default', 'pass', kernel('new', [['CONFIG_FPROBE', 'y']])) },
    ]);
    const failing = merged.cells.find((c) => c.id === 'amd64/old/default')!.tests[0]!;
    expect(failing.configContrast).toEqual({ against: 'amd64/new/default', lines: ['CONFIG_FPROBE: y → not set'] });
  });
});

describe('writeReports / parseReporters', () => {
  it('validates reporter names', () => {
    expect(parseReporters()).toEqual(['json', 'junit', 'html', 'markdown']);
    expect(parseReporters('html, json,html')).toEqual(['html', 'json']);
    expect(() => parseReporters('json,xml')).toThrow('--reporter: unknown reporter "xml"; valid: json, junit, html, markdown');
  });

  it('writes only the chosen files and leaves no temp files behind', async () => {
    const dir = await tmp();
    const written = await writeReports(path.join(dir, 'out'), fixtureResults(), ['json', 'markdown']);
    expect(written.map((f) => path.basename(f))).toEqual(['results.json', 'summary.md']);
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(path.join(dir, 'out'))).sort()).toEqual(['results.json', 'summary.md']);
  });
});

describe('portmatrix report', () => {
  it('merges two shard dirs into ./results-merged, prints the table, exits 1 on failures', async () => {
    const cwd = await tmp();
    const [s1, s2] = fixtureShards(2);
    await writeRunDir(path.join(cwd, 'shard-1'), s1!);
    await writeRunDir(path.join(cwd, 'shard-2'), s2!, false); // this shard was interrupted
    const ctx = fakeContext(cwd);
    const code = await report(ctx, {}, ['shard-1', 'shard-2']);
    expect(code).toBe(1);
    const out = ctx.out();
    expect(out).toContain('debian-bookworm · default   ✓ pass    ✓ pass    ✗ 0/2');
    expect(out).toContain('results-merged/report.html');
    expect(out).not.toContain('\x1b[');
    const json = await readFile(path.join(cwd, 'results-merged', 'results.json'), 'utf8');
    // shard-2 has no run-level metadata (interrupted), so compare cells only.
    expect(JSON.parse(json).cells).toEqual(JSON.parse(serializeResults(fixtureResults())).cells);
    // Every view is the render of the merged results, not an empty or a stale file.
    const merged = await readResults(path.join(cwd, 'results-merged'));
    const rendered = await tmp();
    await writeReports(rendered, merged, ['junit', 'html', 'markdown']);
    for (const f of ['junit.xml', 'report.html', 'summary.md']) {
      const written = await readFile(path.join(cwd, 'results-merged', f), 'utf8');
      expect(written, f).toBe(await readFile(path.join(rendered, f), 'utf8'));
    }
  });

  it('re-renders a single dir in place and exits 3 when the only problem is infra', async () => {
    const cwd = await tmp();
    const all = fixtureResults();
    await writeRunDir(path.join(cwd, 'results'), {
      ...all,
      cells: all.cells.filter((c) => c.status !== 'fail' && c.status !== 'xpass'),
    });
    const ctx = fakeContext(cwd);
    expect(await report(ctx, { reporter: 'junit' }, ['results'])).toBe(3);
    expect(ctx.out()).toContain(path.join('results', 'junit.xml'));
  });

  it("keeps a run's recorded verdict, and decides one for results without it (strict when a shard ran so)", async () => {
    const cwd = await tmp();
    const all = fixtureResults();
    const passed = all.cells.filter((c) => c.status === 'pass');
    // A cell that failed once and passed on its rerun: flaky, which only --strict fails.
    const cells = [
      {
        ...passed[0]!,
        status: 'flaky' as const,
        runs: { passed: 1, total: 2, statuses: ['fail' as const, 'pass' as const] },
      },
      ...passed.slice(1),
    ];
    const flaky = { ...all, cells };
    const flakyIds = [passed[0]!.id];
    await writeRunDir(path.join(cwd, 'old'), flaky);
    expect(await report(fakeContext(cwd), { reporter: 'json' }, ['old'])).toBe(0);
    const verdictIn = async (dir: string) => (JSON.parse(await readFile(path.join(cwd, dir, 'results.json'), 'utf8')) as RunResults).verdict;
    expect(await verdictIn('old')).toEqual({ exitCode: 0, strict: false, ok: true, failed: [], infra: [] });
    const strict = { exitCode: 1, strict: true, ok: false, failed: flakyIds, infra: [] };
    await writeRunDir(path.join(cwd, 'strict'), { ...flaky, verdict: strict });
    expect(await report(fakeContext(cwd), { reporter: 'json' }, ['strict'])).toBe(1);
    expect(await verdictIn('strict')).toEqual(strict);
    expect(await report(fakeContext(cwd), { reporter: 'json', out: 'merged' }, ['old', 'strict'])).toBe(1);
    expect(await verdictIn('merged')).toEqual(strict);
  });

  it('rejects an unknown reporter before reading anything (exit 2)', async () => {
    const ctx = fakeContext(await tmp());
    await expect(report(ctx, { reporter: 'pdf' }, ['does-not-exist'])).rejects.toMatchObject({ exitCode: 2 });
  });
});
