// A sharded run whose shard uploaded nothing: the report job knows the whole plan
// (recorded by the shards, or `report --matrix --shards`), shows the cells no shard
// reported as missing, names the shard, and its verdict is not green in any view.

import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import report from '../../src/commands/report.js';
import type { Context } from '../../src/context.js';
import { ExitCode } from '../../src/errors.js';
import { shardCells, shardPlan } from '../../src/plan/shard.js';
import { serializeResults } from '../../src/report/index.js';
import { mergeResults } from '../../src/results/merge.js';
import type { RunResults } from '../../src/results/model.js';
import { cellResult, runResults } from '../helpers/cells.js';
import { sample } from '../plan/cells.js';

const tmp = () => mkdtemp(path.join(tmpdir(), 'pm-missing-'));

function fakeContext(cwd: string): Context & { out: () => string } {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (d) => (text += d));
  return { cwd, env: {}, stdout, stderr: new PassThrough(), signal: new AbortController().signal, out: () => text };
}

/** What `run --shard i/2` of the sample plan records: its cells (all passed, skips skipped) and the whole plan. */
function shardResults(index: number): RunResults {
  const cells = shardCells(sample, `${index}/2`).map((c) => {
    const kernel = { name: c.kernel.name, source: c.kernel.source };
    return cellResult({ id: c.id, arch: c.arch, kernel, status: c.skip ? 'skip' : 'pass', reason: c.skip });
  });
  return runResults(cells, { plan: shardPlan(sample, 2, index) });
}

const read = (dir: string, file: string) => readFile(path.join(dir, file), 'utf8');

describe('a merge with the whole plan', () => {
  it('shows the cells of a shard that reported nothing as missing infra, naming the shard', () => {
    const merged = mergeResults([{ dir: 'shard-1', results: shardResults(1) }]);
    const shard2 = shardCells(sample, '2/2').map((c) => c.id);
    expect(shard2).toEqual(['amd64/debian-trixie/default', 'arm64/debian-trixie/lockdown']);
    expect(merged.cells.map((c) => c.id).sort()).toEqual(sample.map((c) => c.id).sort());
    for (const id of shard2) {
      const cell = merged.cells.find((c) => c.id === id)!;
      const reason = 'missing: shard 2/2 uploaded no results';
      expect(cell).toMatchObject({ status: 'infra', reason, missing: { shard: '2/2' } });
      expect(cell.tests.map((t) => [t.name, t.status])).toEqual([['loader', 'infra']]);
    }
    expect(merged.plan).toEqual({ shards: 2, cells: shardPlan(sample, 2).cells });
  });

  it('adds nothing when every shard reported, and refuses shards planned differently', () => {
    const both = mergeResults([1, 2].map((i) => ({ dir: `shard-${i}`, results: shardResults(i) })));
    expect(both.cells.some((c) => c.missing)).toBe(false);
    const other = { ...shardResults(2), plan: shardPlan(sample, 3, 2) };
    expect(() =>
      mergeResults([
        { dir: 'a', results: shardResults(1) },
        { dir: 'b', results: other },
      ]),
    ).toThrow('a and b were planned differently (shard count or cells)');
  });

  it('keeps results without a plan (older runs, unsharded) as they were', () => {
    const old = shardResults(1);
    delete old.plan;
    expect(mergeResults([{ dir: 'old', results: old }]).cells).toEqual(old.cells);
  });
});

describe('portmatrix report, 2 shards planned, 1 reported', () => {
  it('exits 3 and every view names the missing shard and is not green', async () => {
    const cwd = await tmp();
    const shard1 = path.join(cwd, 'shards', 'portmatrix-results-1-of-2');
    await mkdir(shard1, { recursive: true });
    await writeFile(path.join(shard1, 'results.json'), serializeResults(shardResults(1)));
    const ctx = fakeContext(cwd);
    expect(await report(ctx, { out: 'report' }, [shard1])).toBe(ExitCode.infra);
    const out = path.join(cwd, 'report');

    const json = JSON.parse(await read(out, 'results.json')) as RunResults;
    expect(json.verdict).toEqual({
      exitCode: 3,
      strict: false,
      ok: false,
      failed: [],
      infra: ['amd64/debian-trixie/default', 'arm64/debian-trixie/lockdown'],
      missingShards: ['2/2'],
    });
    const headline = '2 of 6 cells could not run (infrastructure): shard 2/2 uploaded no results';
    expect(ctx.out()).toContain(`⚠ ${headline}`);
    const md = await read(out, 'summary.md');
    expect(md).toContain(`## ⚠️ portmatrix: ${headline.replace('(infrastructure)', '\\(infrastructure\\)')}`);
    expect(md).toContain('missing: shard 2/2 uploaded no results');
    const html = await read(out, 'report.html');
    expect(html).toContain(`<div class="verdict infra">⚠ ${headline}</div>`);
    expect(html).toContain('missing: shard 2/2 uploaded no results');
    const junit = await read(out, 'junit.xml');
    expect(junit).toMatch(/<testsuites name="portmatrix" tests="6" failures="0" errors="2"/);
    expect(junit).toMatch(/<testsuite name="amd64\/debian-trixie\/default"[^>]* errors="1"/);
    expect(junit).toContain('message="missing: shard 2/2 uploaded no results"');
  });
});

describe('portmatrix report, 2 shards planned, none reported', () => {
  const matrix = path.resolve(import.meta.dirname, '../fixtures/matrices/good/full.yaml');

  it('writes a report from the plan alone that says no shard uploaded results', async () => {
    const cwd = await tmp();
    const ctx = fakeContext(cwd);
    const code = await report(ctx, { out: 'report', matrix, shards: 2, allowOutsideProject: true }, []);
    expect(code).toBe(ExitCode.infra);
    const json = JSON.parse(await read(path.join(cwd, 'report'), 'results.json')) as RunResults;
    expect(json.cells).toHaveLength(18);
    expect(json.cells.filter((c) => c.status === 'skip').map((c) => c.reason)).toEqual([
      'Debian bullseye has no s390x kernel (bullseye is LTS-only)',
      'Debian has no cloud kernel flavour for s390x (only generic)',
    ]);
    expect(json.verdict).toMatchObject({ exitCode: 3, ok: false, failed: [], missingShards: ['1/2', '2/2'] });
    expect(json.matrix).toBe(path.relative(path.join(cwd, 'report'), matrix));
    const headline = '16 of 18 cells could not run (infrastructure): no shard uploaded results';
    expect(ctx.out()).toContain(headline);
    expect(ctx.out()).toContain('no results dir (the plan alone: every cell missing)');
    expect(await read(path.join(cwd, 'report'), 'summary.md')).toContain('no shard uploaded results');
    expect(await read(path.join(cwd, 'report'), 'report.html')).toContain(headline);
  });

  it('without a plan or a results dir, says what to give', async () => {
    const ctx = fakeContext(await tmp());
    const noInput = "no results directory given: name the shards' results or give the plan (--matrix, --shards)";
    await expect(report(ctx, {}, [])).rejects.toThrow(noInput);
    const noShards = '--matrix and --only describe the plan with --shards N; add --shards';
    await expect(report(ctx, { matrix }, [])).rejects.toThrow(noShards);
  });
});

describe('run --shard', () => {
  it('records the whole plan with its own shard, so a merge knows the rest', async () => {
    const { planRun } = await import('../../src/engine/run-plan.js');
    const cwd = path.resolve(import.meta.dirname, '../fixtures/matrices/good');
    const ctx = fakeContext(cwd);
    const plan = await planRun(ctx, { matrix: 'full.yaml', shard: '2/2', reporter: undefined });
    expect(plan.shardPlan?.shard).toBe(2);
    expect(plan.shardPlan?.shards).toBe(2);
    expect(plan.shardPlan?.cells).toHaveLength(18);
    const own = plan.shardPlan!.cells.filter((c) => c.shard === 2).map((c) => c.id);
    expect(own.sort()).toEqual(plan.cells.map((c) => c.id).sort());
    expect((await planRun(ctx, { matrix: 'full.yaml' })).shardPlan).toBeUndefined();
  });
});
