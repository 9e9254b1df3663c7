// `tests:` through plan: per-cell test specs, `loader:` as one test, exclude and
// expect naming a test, packages merged, `--only test=`, and the plan table.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandCells } from '../../src/plan/expand.js';
import { filterCells } from '../../src/plan/filter.js';
import { planTable } from '../../src/plan/table.js';
import { matrixFrom } from './helpers.js';

const yaml = `kernels: [debian:bookworm]
arches: [amd64, arm64]
packages: [zlib1g]
tests:
  - name: smoke
    path: "loader-{arch}"
  - name: suite
    kind: gotest
    path: "loader-{goarch}"
    args: [-test.run, TestAttach]
    workdir: pkg
    timeout: 5
    files: ["data/*.elf", {src: "testdata/*.elf", dest: testdata}]
    packages: {names: [libelf1], suite: trixie}
  - name: amd64-only
    path: "loader-{arch}"
exclude:
  - {arch: arm64, test: amd64-only}
expect:
  - {arch: arm64, test: suite, reason: no BTF}
`;
const files = { 'data/a.elf': '', 'testdata/b.elf': '', 'testdata/c.elf': '' };

describe('tests: in the plan', () => {
  it('gives every cell its tests with placeholders, files, workdir, packages and expectations', async () => {
    const { matrix, dir } = await matrixFrom(yaml, files);
    const [amd64, arm64] = expandCells(matrix);
    expect(amd64!.tests.map((t) => t.name)).toEqual(['smoke', 'suite', 'amd64-only']);
    expect(arm64!.tests.map((t) => t.name)).toEqual(['smoke', 'suite']);
    expect(arm64!.tests[1]).toEqual({
      name: 'suite',
      kind: 'gotest',
      path: path.join(dir, 'loader-arm64'),
      args: ['-test.run', 'TestAttach'],
      env: {},
      files: [
        { src: path.join(dir, 'data/a.elf'), dest: '' },
        { src: path.join(dir, 'testdata/b.elf'), dest: 'testdata' },
        { src: path.join(dir, 'testdata/c.elf'), dest: 'testdata' },
      ],
      workdir: 'pkg',
      timeoutSec: 5,
      // Each name with where it is written, for a located error when the suite lacks it.
      packages: {
        names: ['zlib1g', 'libelf1'],
        suite: 'trixie',
        at: {
          zlib1g: { line: 3, col: 12, field: 'packages[0]' },
          libelf1: { line: 14, col: 24, field: 'tests[1].packages.names[0]' },
        },
      },
      expect: { result: 'fail', reason: 'no BTF' },
    });
    expect(amd64!.tests[0]!.packages).toEqual({
      names: ['zlib1g'],
      at: { zlib1g: { line: 3, col: 12, field: 'packages[0]' } },
    });
    expect(amd64!.tests[1]!.expect).toBeUndefined();
    expect(amd64!.expect).toBeUndefined();
  });

  it('reads loader: as one test named loader', async () => {
    const { matrix, dir } = await matrixFrom('kernels: [debian:trixie]\narches: [amd64]\nloader: {path: "loader-{arch}", files: [x.o]}\n', { 'x.o': '' });
    const [cell] = expandCells(matrix);
    expect(cell!.tests).toEqual([
      {
        name: 'loader',
        kind: 'exec',
        path: path.join(dir, 'loader-amd64'),
        args: [],
        env: {},
        files: [{ src: path.join(dir, 'x.o'), dest: '' }],
        workdir: '',
        timeoutSec: 60,
      },
    ]);
  });

  it('--only test= keeps the named tests and drops cells left with none', async () => {
    const cells = expandCells((await matrixFrom(yaml, files)).matrix);
    const only = filterCells(cells, 'test=amd64-*');
    expect(only.map((c) => [c.id, c.tests.map((t) => t.name)])).toEqual([['amd64/debian-bookworm/default', ['amd64-only']]]);
    expect(() => filterCells(cells, 'test=nope')).toThrow(/no cell has test=nope; valid values are smoke/);
  });

  it("shows each cell's tests in the plan table", async () => {
    const table = planTable(expandCells((await matrixFrom(yaml, files)).matrix));
    expect(table).toMatch(/^amd64\/debian-bookworm\/default .* smoke,suite \(go\),amd64-only +pass$/m);
    expect(table).toMatch(/^arm64\/debian-bookworm\/default .* smoke,suite \(go\) +suite expected to fail: no BTF$/m);
  });
});
