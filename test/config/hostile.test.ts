// Hostile and absurd matrices: each is a located error with exit 2 (never a
// crash, a hang or exit 70), or it works. A user's session: a matrix file,
// `portmatrix plan`, what it printed.

import { describe, expect, it } from 'vitest';
import { cli, project } from '../plan/helpers.js';

const HEAD = 'kernels: [debian:bookworm]\narches: [amd64]\n';

async function plan(yaml: string, files: Record<string, string> = {}) {
  const dir = project({ ...files, 'matrix.yaml': yaml });
  return cli(['plan', '--matrix', 'matrix.yaml'], dir);
}

/** Exit 2 with one located line: `matrix.yaml:LINE:COL: field: problem; fix`. */
function located(run: { code: number; stderr: string; stdout: string }, line: number, rest: string | RegExp): void {
  expect(run.stdout).toBe('');
  expect(run.code).toBe(2);
  expect(run.stderr).not.toMatch(/internal error|at .*\.ts:\d+/);
  const message = run.stderr.replace(/^portmatrix: /, '').trimEnd();
  expect(message.split('\n')).toHaveLength(1);
  expect(message).toMatch(new RegExp(`^matrix\\.yaml:${line}:\\d+: `));
  if (typeof rest === 'string') expect(message).toContain(rest);
  else expect(message).toMatch(rest);
}

describe('YAML aliases', () => {
  it('accepts a harmless document with 101 aliases of one value', async () => {
    const aliases = Array(101).fill('*t').join(', ');
    const run = await plan(`${HEAD}loader: {path: "loader-{arch}", timeout: &t 30, args: [${aliases}]}\n`);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('rejects an alias bomb at the alias that outgrows the bound', async () => {
    const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const run = await plan(`${HEAD}loader: {path: "loader-{arch}"}\nx-bomb:\n${levels.map((l) => `  ${l}`).join('\n')}\n`);
    located(run, 9, 'yaml: the document expands to more than 100000 values here');
  });

  it('rejects an alias to an undefined anchor', async () => {
    located(await plan(`${HEAD}loader: {path: "loader-{arch}", timeout: *nope}\n`), 3, 'yaml: alias *nope names no anchor; write &nope on a value');
  });
});

describe('bounds', () => {
  it('rejects more than 10000 cells at the longest axis', async () => {
    const kernels = Array.from({ length: 40 }, (_, i) => `{source: debian:bookworm, name: k${i}}`).join(', ');
    const configs = Array.from({ length: 100 }, (_, i) => `{name: c${i}}`).join(', ');
    const run = await plan(`kernels: [${kernels}]\narches: [amd64, arm64, s390x]\nconfigs: [${configs}]\nloader: {path: "loader-{arch}"}\n`);
    located(run, 3, 'configs: the matrix has 12000 cells, more than 10000; split it');
  });

  it.each([
    ['timeout: 2500000', 'loader.timeout: 2500000 seconds is more than 86400 (a day); use at most 86400'],
    ['timeout: .inf', 'loader.timeout: got the number Infinity; use seconds'],
  ])('rejects a test %s past the timer range', async (value, message) => {
    located(await plan(`${HEAD}loader:\n  path: loader-{arch}\n  ${value}\n`), 5, message);
  });

  it('rejects a vm.bootTimeout of 1e300', async () => {
    located(await plan(`${HEAD}loader: {path: "loader-{arch}"}\nvm:\n  bootTimeout: 1e300\n`), 5, 'vm.bootTimeout: 1e+300 seconds is more than 3600 (an hour)');
  });

  it('rejects tests whose timeouts add up past a week, at the test that crosses it', async () => {
    const tests = Array.from({ length: 8 }, (_, i) => `  - {name: t${i}, path: "loader-{arch}", timeout: 86400}`).join('\n');
    located(await plan(`${HEAD}tests:\n${tests}\n`), 11, "tests[7].timeout: the tests' timeouts add up to more than 604800 seconds");
  });

  it('rejects a matrix file past 1 MiB before parsing it', async () => {
    const run = await plan(`${HEAD}loader: {path: "loader-{arch}"}\n#${'x'.repeat(1024 * 1024)}\n`);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(/^portmatrix: matrix\.yaml: \d+ bytes, more than the 1048576 a matrix may have; split it\n$/);
  });
});

describe('environment names', () => {
  it.each(['A-B', '1X', 'a b', 'A=B', '""'])('rejects %s', async (name) => {
    located(
      await plan(`${HEAD}loader:\n  path: loader-{arch}\n  env: {${name}: "1"}\n`),
      5,
      'is not an environment variable name; use letters, digits and "_"',
    );
  });

  it('rejects __proto__ as a key instead of dropping it', async () => {
    located(await plan(`${HEAD}loader:\n  path: loader-{arch}\n  env: {__proto__: "1", B: "2"}\n`), 5, 'yaml: the key __proto__ is reserved; rename the key');
  });
});

describe('the smaller ones', () => {
  it('rejects a misspelt placeholder in btf.objects, naming the known ones', async () => {
    located(
      await plan(`${HEAD}loader: {path: "loader-{arch}"}\nbtf:\n  objects: ["build/x-{goarc}.o"]\n`),
      5,
      'btf.objects[0]: unknown placeholder {goarc} in "build/x-{goarc}.o"; use {arch} or {goarch}',
    );
  });

  it('rejects a Debian source with a third part instead of dropping it', async () => {
    located(
      await plan('kernels: [debian:bookworm/cloud/extra]\narches: [amd64]\nloader: {path: "loader-{arch}"}\n'),
      1,
      'unknown Debian kernel flavour "cloud/extra"',
    );
  });

  it('reads a file with CR-only line ends', async () => {
    const run = await plan(`${HEAD}loader: {path: "loader-{arch}"}\n`.replaceAll('\n', '\r'));
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('amd64/debian-bookworm/default');
    expect(run.code).toBe(0);
  });

  it('rejects a matrix path that is a directory', async () => {
    const dir = project({ 'm/x': '' });
    const run = await cli(['plan', '--matrix', 'm'], dir);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'portmatrix: m: not a regular file; pass --matrix <file> naming a matrix.yaml\n',
    });
  });
});

describe('matrix text reaching the terminal', () => {
  it('shows an expect reason with escapes, cut, in the plan table', async () => {
    const reason = JSON.stringify(`\x1b]0;pwned\x07\x1b[2J\u202eflipped ${'r'.repeat(300)}`);
    const run = await plan(`${HEAD}loader: {path: "loader-{arch}"}\nexpect:\n  - {arch: amd64, reason: ${reason}}\n`);
    expect(run.code).toBe(0);
    const row = run.stdout.split('\n')[1]!;
    expect(row).toContain('expected to fail: \\x1b]0;pwned\\x07\\x1b[2J\\u202eflipped rrr');
    expect(row).toMatch(/r… \(\d+ bytes\)$/);
    expect(run.stdout).not.toMatch(/[\x1b\x07\u202e]/);
  });

  it('keeps a located error on one line, escaped, with a long value cut', async () => {
    const name = JSON.stringify(`A\x7fB\x00\nC\u202e${'x'.repeat(1024 * 1024 - 200)}`);
    const run = await plan(`${HEAD}loader:\n  path: "loader-{arch}"\n  env: {${name}: "1"}\n`);
    located(run, 5, 'is not an environment variable name');
    expect(run.stderr).toContain('"A\\x7fB\\u0000\\nC\\u202exxx');
    expect(run.stderr).toMatch(/x…" \(\d+ bytes\) is not an environment variable name/);
    expect(run.stderr.length).toBeLessThan(1500);
    expect(run.stderr).not.toMatch(/[\x00\x7f\u202e]/);
  });
});
