// Minimal, valid results models for the GitHub tests.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Arch } from '../../src/core/arch.js';
import { upgradeCell } from '../../src/results/tests.js';
import { SCHEMA_VERSION, type CellResult, type RunResults, type Status } from '../../src/results/model.js';

export function cell(id: string, status: Status, reason?: string): CellResult {
  const [arch, kernel, config] = id.split('/') as [Arch, string, string];
  return upgradeCell({
    id,
    arch,
    kernel: { source: `debian:${kernel}`, name: kernel },
    config,
    libc: 'static',
    status,
    reason,
    timings: { totalMs: 4200 },
    timedOut: false,
    bootFailed: status === 'infra',
    attempts: 1,
    stdout: status === 'fail' ? 'load: bad CO-RE relocation\n' : '',
    stderr: '',
    dmesg: '',
    consoleTail: '',
  });
}

export function results(cells: [string, Status, string?][]): RunResults {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'portmatrix', version: '0.1.0' },
    matrix: 'matrix.yaml',
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:01:00Z',
    host: { arch: 'x64', cpus: 2, node: 'v20' },
    cells: cells.map(([id, status, reason]) => cell(id, status, reason)).sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
}

export async function writeResultsDir(dir: string, r: RunResults): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'results.json'), JSON.stringify(r, null, 2));
  return dir;
}
