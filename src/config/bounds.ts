// The upper bounds of a matrix (docs/matrix.md, "Limits"): past any of them a
// run would hang, crash or outgrow the machine, so each is a located error.

import type { PathKey } from './locate.js';
import type { Fail } from './placeholders.js';
import type { RawMatrix } from './schema.js';

/** Bytes of matrix.yaml. */
export const MAX_MATRIX_BYTES = 1024 * 1024;
/** Values the document expands to, aliases counted as often as they are used. */
export const MAX_YAML_NODES = 100_000;
/** Cells: kernels × arches × configs × libcs, before exclude. */
export const MAX_CELLS = 10_000;
/** Tests run over the whole plan: cells × tests. */
export const MAX_CELL_TESTS = 100_000;
/** Seconds of one test's `timeout`. */
export const MAX_TEST_TIMEOUT = 24 * 3600;
/** Seconds of every test of a cell together: scaled for TCG, they stay well inside Node's timers (about 24.8 days). */
export const MAX_CELL_TIMEOUT = 7 * 24 * 3600;
/** Seconds of `vm.bootTimeout`. */
export const MAX_BOOT_TIMEOUT = 3600;

/** A POSIX environment variable name: what a shell can export. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type RawProgram = { timeout: number; env: Record<string, string>; args: string[] };

/** The written tests with their paths: `loader:` or `tests:`. */
function programs(raw: RawMatrix): [PathKey[], RawProgram][] {
  const list: [PathKey[], RawProgram][] = (raw.tests ?? []).map((t, i) => [['tests', i], t]);
  if (raw.loader) list.push([['loader'], raw.loader]);
  return list;
}

function checkProgram(at: PathKey[], p: RawProgram, fail: Fail): void {
  if (p.timeout > MAX_TEST_TIMEOUT)
    fail([...at, 'timeout'], `${p.timeout} seconds is more than ${MAX_TEST_TIMEOUT} (a day)`, `use at most ${MAX_TEST_TIMEOUT}`);
  for (const [name, value] of Object.entries(p.env)) {
    if (!ENV_NAME.test(name))
      fail(
        [...at, 'env', name],
        `${JSON.stringify(name)} is not an environment variable name`,
        'use letters, digits and "_", not starting with a digit, e.g. DEBUG_LEVEL',
      );
    if (value.includes('\0')) fail([...at, 'env', name], 'holds a NUL byte', 'remove it: an environment value cannot carry NUL');
  }
  p.args.forEach((arg, i) => arg.includes('\0') && fail([...at, 'args', i], 'holds a NUL byte', 'remove it: an argument cannot carry NUL'));
}

function checkSize(raw: RawMatrix, fail: Fail): void {
  const cells = raw.kernels.length * raw.arches.length * raw.configs.length * raw.libc.length;
  const biggest = (['kernels', 'configs', 'libc', 'arches'] as const).reduce((a, b) => (raw[b].length > raw[a].length ? b : a));
  if (cells > MAX_CELLS)
    fail([biggest], `the matrix has ${cells} cells, more than ${MAX_CELLS}`, 'split it into several matrix files, or list fewer kernels, configs or libcs');
  const tests = (raw.tests?.length ?? 0) + (raw.loader ? 1 : 0);
  if (cells * tests > MAX_CELL_TESTS)
    fail(
      raw.tests ? ['tests'] : ['loader'],
      `${cells} cells × ${tests} tests is more than ${MAX_CELL_TESTS} test runs`,
      'split the matrix, or run fewer tests in each cell',
    );
}

/** Every bound that the schema's types cannot state, checked before anything expands. */
export function checkBounds(raw: RawMatrix, fail: Fail): void {
  if (raw.vm.bootTimeout > MAX_BOOT_TIMEOUT)
    fail(['vm', 'bootTimeout'], `${raw.vm.bootTimeout} seconds is more than ${MAX_BOOT_TIMEOUT} (an hour)`, `use at most ${MAX_BOOT_TIMEOUT}`);
  let total = 0;
  for (const [at, program] of programs(raw)) {
    checkProgram(at, program, fail);
    total += program.timeout;
    if (total > MAX_CELL_TIMEOUT)
      fail([...at, 'timeout'], `the tests' timeouts add up to more than ${MAX_CELL_TIMEOUT} seconds (a week)`, 'give the tests shorter timeouts');
  }
  checkSize(raw, fail);
}
