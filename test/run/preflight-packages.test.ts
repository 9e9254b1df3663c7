// packages: is not wired into the guest yet: run refuses it before anything boots,
// naming the cell, the test and what to do, instead of running without the packages.

import { describe, expect, it } from 'vitest';
import type { Cell, TestSpec } from '../../src/core/cell.js';
import { UsageError } from '../../src/errors.js';
import { preflight } from '../../src/run/preflight.js';

const spec = (name: string, over: Partial<TestSpec> = {}): TestSpec => ({ name, kind: 'exec', path: '/nonexistent', args: [], env: {}, files: [], workdir: '', timeoutSec: 5, ...over });
const cell = (tests: TestSpec[]): Cell => ({
  id: 'amd64/k/default', arch: 'amd64', kernel: { source: 'debian:trixie', name: 'k' }, config: { name: 'default', cmdline: [], sysctl: {} }, libc: 'static',
  tests, loader: { path: '/nonexistent', args: [], env: {}, files: [], timeoutSec: 5 },
});

describe('preflight', () => {
  it('refuses packages: before any boot, naming the test', async () => {
    const run = preflight([cell([spec('a'), spec('tool', { packages: { names: ['libelf1'] } })])], process.env, () => {});
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(/^amd64\/k\/default: test tool has packages: .* cannot put Debian packages into the guest yet; remove packages:/);
  });
});
