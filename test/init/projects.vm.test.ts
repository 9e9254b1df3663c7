// `portmatrix init` in three real projects, then `portmatrix run` on the matrix it
// wrote, with no other command in between:
//   - bpf2go with `//go:generate go tool bpf2go …` and its outputs git-ignored (not
//     there): examples/execsnoop's sources and go.mod;
//   - a Go module whose test loads BPF (test/init/fixtures/gotests, execsnoop's go.mod);
//   - libbpf C with a skeleton Makefile (test/init/fixtures/skeleton), linked
//     dynamically against the host's libbpf → `packages: [libbpf1]`.
// Each run boots one kernel (trixie) on amd64 only, to keep it short.

import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/results/model.js';
import { type CliRun, repoRoot, runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';

const execsnoop = path.join(repoRoot, 'examples/execsnoop');
const fixtures = path.join(repoRoot, 'test/init/fixtures');
const IGNORED = '/bin/\n*_bpfel.go\n*_bpfeb.go\n*_bpfel.o\n*_bpfeb.o\n';

const made: string[] = [];
afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));

async function project(name: string, from: Record<string, string>, extra: Record<string, string> = {}): Promise<string> {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'pm-init-vm-'));
  made.push(parent);
  const dir = path.join(parent, name);
  for (const [rel, src] of Object.entries(from)) await cp(src, path.join(dir, rel), { recursive: true });
  for (const [rel, text] of Object.entries(extra)) await writeFile(path.join(dir, rel), text);
  await useTestLock(dir);
  return dir;
}

const fromExecsnoop = (...names: string[]) => Object.fromEntries(names.map((n) => [n, path.join(execsnoop, n)]));

/** `portmatrix run` on the written matrix, one trixie amd64 cell; every cell must pass on the first attempt. */
async function runWritten(dir: string): Promise<{ run: CliRun; results: RunResults }> {
  const run = await runCli(['run', '--only', 'kernel=debian:trixie,arch=amd64', '--retries', '0'], { cwd: dir });
  const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
  return { run, results };
}

describe('portmatrix init, then run', () => {
  it('bpf2go with git-ignored outputs: init generates and builds every arch; the first run is green', async () => {
    const dir = await project('snoop', fromExecsnoop('main.go', 'event.go', 'result.go', 'variant.go', 'gen.go', 'go.mod', 'go.sum', 'bpf'), {
      '.gitignore': IGNORED,
    });
    const init = await runCli(['init'], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('$ go generate .\n');
    // Named as `go build` names it: the last element of the module path (…/examples/execsnoop).
    expect(init.stdout).toContain('$ CGO_ENABLED=0 GOARCH=s390x go build -o bin/execsnoop-s390x .\n');
    expect(init.stdout).toContain('\narches: amd64, arm64, s390x\n');
    const matrix = await readFile(path.join(dir, 'matrix.yaml'), 'utf8');
    expect(matrix).toContain('  - name: execsnoop\n    path: ./bin/execsnoop-{goarch}\n');

    const { run, results } = await runWritten(dir);
    expect(run.code, run.stderr).toBe(0);
    expect(results.cells.map((c) => [c.id, c.status, c.attempts])).toEqual([[results.cells[0]!.id, 'pass', 1]]);
  }, 900_000);

  it('a Go module whose test loads BPF: a go test -c binary per arch, kind: gotest; the first run is green', async () => {
    const dir = await project('filter', {
      ...fromExecsnoop('go.mod', 'go.sum'),
      'filter.go': path.join(fixtures, 'gotests/filter.go'),
      'filter_test.go': path.join(fixtures, 'gotests/filter_test.go'),
    });
    const init = await runCli(['init'], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('$ CGO_ENABLED=0 GOARCH=arm64 go test -c -o bin/execsnoop-tests-arm64 .\n');
    const matrix = await readFile(path.join(dir, 'matrix.yaml'), 'utf8');
    expect(matrix).toContain('    kind: gotest\n    path: ./bin/execsnoop-tests-{goarch}\n');

    const { run, results } = await runWritten(dir);
    expect(run.code, run.stderr).toBe(0);
    const [cell] = results.cells;
    expect([cell!.status, cell!.attempts]).toEqual(['pass', 1]);
    expect(cell!.tests.flatMap((t) => t.cases?.map((c) => [c.name, c.status]) ?? [])).toEqual([['TestLoadAndRun', 'pass']]);
  }, 900_000);

  it('libbpf C with a skeleton: init runs make, finds the program and its libbpf; the run passes with libbpf1', async () => {
    const dir = await project('counter', Object.fromEntries(['Makefile', 'counter.c', 'counter.bpf.c'].map((n) => [n, path.join(fixtures, 'skeleton', n)])));
    const init = await runCli(['init'], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('$ make\n');
    expect(init.stdout).toMatch(/\narches: amd64\n {2}arm64 left out: make builds for the host only/);
    const matrix = await readFile(path.join(dir, 'matrix.yaml'), 'utf8');
    expect(matrix).toContain('libc: [debian:trixie]\n');
    expect(matrix).toContain('packages: [libbpf1]\n');
    expect(matrix).toContain('  - name: counter\n    path: ./counter\n');

    const { run, results } = await runWritten(dir);
    expect(run.code, run.stderr).toBe(0);
    const [cell] = results.cells;
    expect([cell!.status, cell!.attempts]).toEqual(['pass', 1]);
    expect(cell!.tests[0]!.stdout).toMatch(/^hits=\d+ libbpf=1\.\d+$/m);
  }, 900_000);
});
