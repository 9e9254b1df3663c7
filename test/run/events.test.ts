// The run's event stream, without booting: a skipped cell, a kernel that cannot
// be had, a cell kept by --resume (its kernel resolved from a local file: cached,
// never downloaded), an aborted run and a results dir that cannot be written, as the
// events a subscriber sees.

import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MatrixVm } from '../../src/config/matrix.js';
import { createInputs } from '../../src/engine/cell-inputs.js';
import { resultsWriter } from '../../src/engine/persist.js';
import { inputsHash } from '../../src/engine/resume-key.js';
import { runCells } from '../../src/engine/scheduler.js';
import { createRunEvents, type RunEvent } from '../../src/events/run-events.js';
import { createImageStore } from '../../src/images/store.js';
import { notBooted } from '../../src/outcome/not-booted.js';
import { cell } from '../plan/cells.js';

const vm: MatrixVm = {
  memory: 256,
  cpus: 1,
  bootTimeout: 60,
  accel: 'tcg',
  backend: 'qemu',
  network: false,
  snapshot: 'auto',
};

function setup(signal = new AbortController().signal) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pm-events-'));
  const events = createRunEvents();
  const seen: RunEvent[] = [];
  events.subscribe((e) => void seen.push(e));
  events.subscribe(resultsWriter(path.join(dir, 'results')));
  const images = createImageStore({
    env: process.env,
    cacheDir: path.join(dir, 'cache'),
    debianMirror: 'http://unused.invalid',
    baseDir: dir,
  });
  const inputs = createInputs({ images, accelMode: 'tcg', env: process.env, events });
  const options = {
    inputs,
    events,
    jobs: 2,
    retries: 0,
    vm,
    resultsDir: path.join(dir, 'results'),
    workDir: path.join(dir, 'work'),
    env: process.env,
    signal,
  };
  return { dir, seen, options };
}

const kinds = (seen: RunEvent[], id: string) =>
  seen
    .filter((e) => 'cell' in e && e.cell.id === id)
    .map((e) => (e.type === 'image' ? `image ${e.state}` : e.type === 'result' ? `result ${e.result.status}${e.resumed ? ' resumed' : ''}` : e.type));

describe('run events', () => {
  it('tell each cell from queued to result, and the writer keeps only new results', async () => {
    const { dir, seen, options } = setup();
    writeFileSync(path.join(dir, 'vmlinuz'), Buffer.alloc(4096, 7));
    writeFileSync(path.join(dir, 'loader'), '#!/bin/sh\n');
    const tests = [
      {
        name: 'loader',
        kind: 'exec' as const,
        path: path.join(dir, 'loader'),
        args: [],
        env: {},
        files: [],
        workdir: '',
        timeoutSec: 60,
      },
    ];
    const skipped = cell('s390x', 'debian:bullseye', 'default', { skip: 'no s390x kernel' });
    const missing = cell('amd64', 'file:/nonexistent/vmlinuz', 'default', { tests, id: 'amd64/missing/default' });
    const kept = cell('amd64', `file:${path.join(dir, 'vmlinuz')}`, 'default', { tests, id: 'amd64/local/default' });
    // --resume: the kept cell finished earlier with exactly these inputs.
    const kernelSha = (
      await createImageStore({
        env: process.env,
        cacheDir: path.join(dir, 'c2'),
        debianMirror: 'http://unused.invalid',
        baseDir: dir,
      }).kernel(kept.kernel.source, 'amd64')
    ).sha256;
    const before = {
      ...notBooted(kept, 'skip', 'stand-in'),
      status: 'pass' as const,
      inputsHash: await inputsHash(kept, kernelSha, vm),
    };

    const { results, unfinished } = await runCells([skipped, missing, kept], {
      ...options,
      previous: new Map([[kept.id, before]]),
    });

    expect(unfinished).toEqual([]);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['amd64/local/default', 'pass'],
      ['amd64/missing/default', 'infra'],
      ['s390x/debian-bullseye/default', 'skip'],
    ]);
    expect(kinds(seen, skipped.id)).toEqual(['queued', 'result skip']);
    expect(kinds(seen, missing.id)).toEqual(['queued', 'image resolving', 'result infra']);
    expect(kinds(seen, kept.id)).toEqual(['queued', 'image resolving', 'image cached', 'result pass resumed']);
    const written = readdirSync(path.join(dir, 'results', 'cells')).sort();
    expect(written).toEqual(['amd64__missing__default.json', 's390x__debian-bullseye__default.json']);
    expect(JSON.parse(await readFile(path.join(dir, 'results', 'cells', written[1]!), 'utf8')).reason).toBe('no s390x kernel');
  });

  it('stop the run when a result cannot be written: the error names the dir, later cells do not start', async () => {
    const { dir, seen, options } = setup();
    // The results dir is a file: every write under it fails (as a full disk would).
    writeFileSync(path.join(dir, 'results'), '');
    const cells = ['a', 'b', 'c'].map((name) => cell('s390x', 'debian:bullseye', name, { skip: 'no s390x kernel' }));
    await expect(runCells(cells, { ...options, jobs: 1 })).rejects.toThrow(
      /^cannot write the result of s390x\/debian-bullseye\/a to .*results\/cells: .*; the cells finished before it are kept there: make room and run again with --resume$/,
    );
    expect(seen.filter((e) => e.type === 'result')).toHaveLength(1);
  });

  it('leave the cells of an aborted run unfinished, with no result event', async () => {
    const abort = new AbortController();
    abort.abort();
    const { seen, options } = setup(abort.signal);
    const planned = cell('amd64', 'debian:trixie');
    const { results, unfinished } = await runCells([planned], options);
    expect([results, unfinished.map((c) => c.id)]).toEqual([[], [planned.id]]);
    expect(seen.map((e) => e.type)).toEqual(['queued']);
  });
});
