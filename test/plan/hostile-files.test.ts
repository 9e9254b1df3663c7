// Hostile paths in a matrix: globs that loop or never end, programs that are
// directories or devices, and files outside the project. Each ends in a located
// error (exit 2) or works; none hangs, crashes or reads a host file.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/core/cell.js';
import { readElf } from '../../src/guest/elf.js';
import { suiteSharedEntries } from '../../src/guest/suite-inputs.js';
import { GlobLimitError, glob } from '../../src/plan/glob.js';
import { planTable } from '../../src/plan/table.js';
import { testSpec } from '../helpers/cells.js';
import { cli, project } from './helpers.js';

const HEAD = 'kernels: [debian:bookworm]\narches: [amd64]\n';
const plan = (dir: string, ...args: string[]) => cli(['plan', '--matrix', 'matrix.yaml', ...args], dir);

/** A project whose matrix is `yaml`; `links` are symlinks (name → target) made after the files. */
function projectWith(yaml: string, files: Record<string, string> = {}, links: Record<string, string> = {}): string {
  const dir = project({ ...files, 'matrix.yaml': yaml });
  for (const [name, target] of Object.entries(links)) fs.symlinkSync(target, path.join(dir, name));
  return dir;
}

function located(run: { code: number; stdout: string; stderr: string }, prefix: string, ...parts: string[]): void {
  expect(run.stdout).toBe('');
  expect(run.code).toBe(2);
  expect(run.stderr.split('\n')).toHaveLength(2);
  expect(run.stderr.startsWith(`portmatrix: ${prefix}`), run.stderr).toBe(true);
  for (const part of parts) expect(run.stderr).toContain(part);
}

describe('globs', () => {
  it('ends a symlink loop: loop/a -> . and loop/b -> .', async () => {
    const dir = projectWith(`${HEAD}loader:\n  path: loader-{arch}\n  files: ["loop/**"]\n`, { 'loop/x.o': 'x' }, { 'loop/a': '.', 'loop/b': '.' });
    const run = await plan(dir, '--json');
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)[0].tests[0].files.map((f: { src: string }) => f.src)).toEqual([path.join(dir, 'loop/x.o')]);
  });

  it('stops at its bound on files with a located error', async () => {
    const files = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`d/f${i}.o`, 'abc']));
    const dir = project(files);
    await expect(glob(path.join(dir, 'd/*.o'), { limits: { files: 10, bytes: 1e9, entries: 1e6 } })).rejects.toThrow(GlobLimitError);
    await expect(glob(path.join(dir, 'd/*.o'), { limits: { files: 100, bytes: 5, entries: 1e6 } })).rejects.toThrow('matches more than 5 bytes');
  });

  it('names the glob that passed a bound, where it is written', async () => {
    const files = Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`d/f${i}.o`, '']));
    const dir = projectWith(`${HEAD}loader:\n  path: loader-{arch}\n  files: ["d/*.o"]\n`, files);
    located(await plan(dir), 'matrix.yaml:5:11: loader.files[0]: d/*.o matches more than 10000 files; narrow the glob');
  }, 60_000);

  it('refuses /** before walking: it starts outside the project', async () => {
    const dir = projectWith(`${HEAD}loader:\n  path: loader-{arch}\n  files: ["/**"]\n`);
    located(await plan(dir), 'matrix.yaml:5:11: loader.files[0]: "/**" is outside the project', 'matrix paths must stay inside the project');
  });

  it('stops a long walk when the signal aborts, because it yields', async () => {
    const files = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`t/${i % 40}/${i}.o`, '']));
    const dir = project(files);
    const controller = new AbortController();
    const walking = glob(path.join(dir, 't/**/*.o'), { signal: controller.signal });
    setImmediate(() => controller.abort(new Error('SIGINT')));
    await expect(walking).rejects.toThrow('SIGINT');
  });

  it('exits 130 on Ctrl-C during plan, not 70', async () => {
    const files = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`t/${i % 40}/${i}.o`, '']));
    const dir = projectWith(`${HEAD}loader:\n  path: loader-{arch}\n  files: ["t/**/*.o"]\n`, files);
    const controller = new AbortController();
    controller.abort(new Error('SIGINT'));
    const { main } = await import('../../src/cli.js');
    const err: string[] = [];
    const sink = { write: (s: string) => err.push(s) } as unknown as NodeJS.WritableStream;
    const code = await main(['plan'], { cwd: dir, env: {}, stdout: sink, stderr: sink, signal: controller.signal });
    expect({ code, err: err.join('') }).toEqual({ code: 130, err: 'portmatrix: interrupted\n' });
  });

  it('warns, located, when a glob matches nothing in plan; run makes it an error', async () => {
    const dir = projectWith(`${HEAD}loader:\n  path: loader-{arch}\n  files: ["bpf/*.o"]\n`);
    const run = await plan(dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      'warning: matrix.yaml:5:11: loader.files[0]: bpf/*.o matches no file for amd64; build the files first, or fix the glob (relative to the matrix file)\n',
    );
    const real = await cli(['run', '--matrix', 'matrix.yaml'], dir);
    expect(real).toMatchObject({ code: 2, stdout: '' });
    expect(real.stderr).toBe(
      'portmatrix: matrix.yaml:5:11: loader.files[0]: bpf/*.o matches no file for amd64; build the files first, or fix the glob (relative to the matrix file)\n',
    );
  });
});

describe('programs', () => {
  it.each([
    ['a directory', 'path: bin', { 'bin/x': '' }, 'loader.path: bin is a directory'],
    ['""', 'path: ""', {}, 'loader.path: is empty'],
  ])('rejects a loader path that is %s', async (_, line, files, message) => {
    located(await plan(projectWith(`${HEAD}loader:\n  ${line}\n`, files)), 'matrix.yaml:4:9: ', message);
  });

  it('rejects a device, linked into the project', async () => {
    const dir = projectWith(`${HEAD}loader:\n  path: zero\n  timeout: 5\n`, {}, { zero: '/dev/zero' });
    located(await plan(dir, '--allow-outside-project'), 'matrix.yaml:4:9: loader.path: zero is not a regular file (a device or a pipe?)');
  });

  it('reads no ELF from a device', async () => {
    await expect(readElf('/dev/zero')).rejects.toThrow('/dev/zero is not a regular file');
  });
});

describe('file confinement', () => {
  const outside = project({ 'secret.txt': "the runner's secret\n", vmlinuz: 'x', 'raw.btf': 'x' });
  const cases: [string, string, string, string][] = [
    [
      'an absolute files path',
      `loader:\n  path: loader-{arch}\n  files: [${outside}/secret.txt]`,
      '5:11: loader.files[0]',
      'secret.txt" is outside the project',
    ],
    [
      'a ../.. files path',
      `loader:\n  path: loader-{arch}\n  files: [../${path.basename(outside)}/secret.txt]`,
      '5:11: loader.files[0]',
      'is outside the project',
    ],
    [
      'a symlink out',
      `loader:\n  path: loader-{arch}\n  files: [link.txt]`,
      '5:11: loader.files[0]',
      `"link.txt" is outside the project (through a symlink, to ${outside}/secret.txt)`,
    ],
    [
      'a glob reaching out through a symlink',
      `loader:\n  path: loader-{arch}\n  files: ["*.txt"]`,
      '5:11: loader.files[0]',
      `*.txt reaches ${'%DIR%'}/link.txt, outside the project (through a symlink`,
    ],
    ['a loader path', `loader:\n  path: ${outside}/secret.txt`, '4:9: loader.path', 'is outside the project'],
    [
      'btf: file:',
      `configs: [{name: d, btf: "file:${outside}/raw.btf"}]\nloader: {path: "loader-{arch}"}`,
      '3:26: configs[0].btf',
      'raw.btf" is outside the project',
    ],
    ['btf.objects', `btf: {objects: ["${outside}/*.o"]}\nloader: {path: "loader-{arch}"}`, '3:17: btf.objects[0]', 'is outside the project'],
  ];
  it.each(cases)('refuses %s, naming the path and the rule', async (_, body, where, message) => {
    const dir = projectWith(`${HEAD}${body}\n`, {}, { 'link.txt': `${outside}/secret.txt` });
    located(await plan(dir), `matrix.yaml:${where}: `, message.replace('%DIR%', dir), 'matrix paths must stay inside the project');
  });

  it('refuses a file: kernel outside the project', async () => {
    const dir = projectWith(`kernels: ["file:${outside}/vmlinuz"]\narches: [amd64]\nloader: {path: "loader-{arch}"}\n`);
    located(await plan(dir), 'matrix.yaml:1:11: kernels[0].source: ', 'vmlinuz" is outside the project');
  });

  it('takes the git work tree holding the matrix as the project', async () => {
    const dir = project({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'shared/x.o': '',
      'sub/matrix.yaml': `${HEAD}loader:\n  path: ../loader-{arch}\n  files: [../shared/x.o]\n`,
    });
    const run = await cli(['plan', '--matrix', 'sub/matrix.yaml'], dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('allows outside paths with --allow-outside-project, or per path in the matrix', async () => {
    const flag = projectWith(`${HEAD}loader:\n  path: loader-{arch}\n  files: [${outside}/secret.txt]\n`);
    expect(await plan(flag, '--allow-outside-project')).toMatchObject({ code: 0, stderr: '' });
    const opted = projectWith(`${HEAD}allowOutsideProject: [${outside}]\nloader:\n  path: loader-{arch}\n  files: [${outside}/secret.txt]\n`);
    expect(await plan(opted)).toMatchObject({ code: 0, stderr: '' });
  });

  it('refuses both in a pull-request event unless the workflow opts in', async () => {
    const flag = projectWith(`${HEAD}loader:\n  path: loader-{arch}\n  files: [${outside}/secret.txt]\n`);
    const pr = { GITHUB_EVENT_NAME: 'pull_request_target' };
    expect(await cli(['plan', '--allow-outside-project'], flag, pr)).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'portmatrix: --allow-outside-project is refused in a GitHub Actions pull_request_target event, where the matrix comes from the pull request; set PORTMATRIX_ALLOW_OUTSIDE_PROJECT=1 in the workflow to allow it\n',
    });
    const opted = projectWith(`${HEAD}allowOutsideProject: [${outside}]\nloader: {path: "loader-{arch}"}\n`);
    located(
      await cli(['plan'], opted, { GITHUB_EVENT_NAME: 'pull_request' }),
      'matrix.yaml:3:22: allowOutsideProject: is refused in a GitHub Actions pull_request event',
    );
    expect(await cli(['plan', '--allow-outside-project'], flag, { ...pr, PORTMATRIX_ALLOW_OUTSIDE_PROJECT: '1' })).toMatchObject({ code: 0 });
  });

  it("gives a file reached through a symlink its target's mode", async () => {
    const dir = project({ 'target.sh': '#!/bin/sh\n' });
    fs.chmodSync(path.join(dir, 'target.sh'), 0o640);
    fs.symlinkSync('target.sh', path.join(dir, 'link.sh'));
    const spec = testSpec({ path: '/bin/true', files: [{ src: path.join(dir, 'link.sh'), dest: 'link.sh' }] });
    const entries = await suiteSharedEntries({ arch: 'amd64', tests: [{ index: 0, spec }] });
    expect(entries.find((e) => e.type === 'file' && e.path.endsWith('link.sh'))).toMatchObject({
      type: 'file',
      mode: 0o640,
    });
  });
});

describe('size', () => {
  it('renders a plan table of 130,000 cells without overflowing the stack', () => {
    const cell = (i: number) =>
      ({
        id: `amd64/k${i}/default`,
        arch: 'amd64',
        kernel: { source: 'debian:bookworm', name: `k${i}` },
        config: { name: 'default' },
        libc: 'static',
        tests: [{ name: 'loader', kind: 'exec' }],
      }) as unknown as Cell;
    const table = planTable(Array.from({ length: 130_000 }, (_, i) => cell(i)));
    expect(table.split('\n').at(-2)).toBe('130000 cells: 130000 to run (0 expected to fail), 0 skipped');
  });
});
