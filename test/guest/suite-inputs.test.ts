// A cell of tests as the guest receives it: each program under its own name at
// /portmatrix/bin/<i>/, each test's files in its root (a `dest` under it), cell.sh
// last and private; two files of one test on one path are refused.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestSpec } from '../../src/core/cell.js';
import { suiteInputEntries } from '../../src/guest/suite-inputs.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pm-suite-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (n: string) => path.join(dir, n);

const spec = (name: string, over: Partial<TestSpec>): TestSpec => ({
  name,
  kind: 'exec',
  path: p('prog'),
  args: [],
  env: {},
  files: [],
  workdir: '',
  timeoutSec: 10,
  ...over,
});

describe('suiteInputEntries', () => {
  it('puts each test in its own root, files under dest, programs apart, cell.sh last', async () => {
    mkdirSync(p('testdata'));
    writeFileSync(p('prog'), '#!/bin/sh\n');
    writeFileSync(p('suite.test'), 'ELF');
    writeFileSync(p('testdata/x.elf'), 'x');
    writeFileSync(p('conf.json'), '{}');
    const entries = await suiteInputEntries({
      arch: 'amd64',
      script: '#!/bin/sh\n',
      tests: [
        { index: 0, spec: spec('a', { files: [{ src: p('conf.json'), dest: '' }] }) },
        {
          index: 3,
          spec: spec('b', {
            kind: 'gotest',
            path: p('suite.test'),
            files: [{ src: p('testdata/x.elf'), dest: 'testdata' }],
            workdir: 'pkg',
          }),
        },
      ],
    });
    const files = entries.filter((e) => e.type === 'file').map((e) => [e.path, e.type === 'file' ? (e.mode ?? 0).toString(8) : '']);
    expect(files).toEqual([
      ['portmatrix/bin/0/prog', '755'],
      ['portmatrix/t/0/conf.json', '644'],
      ['portmatrix/bin/3/suite.test', '755'],
      ['portmatrix/t/3/testdata/x.elf', '644'],
      ['portmatrix/cell.sh', '700'],
    ]);
    expect(entries.filter((e) => e.type === 'dir').map((e) => e.path)).toContain('portmatrix/t/3/testdata');
  });

  it('refuses two files of one test landing on one path', async () => {
    mkdirSync(p('other'));
    writeFileSync(p('other/conf.json'), '{}');
    const clash = spec('c', {
      files: [
        { src: p('conf.json'), dest: 'etc' },
        { src: p('other/conf.json'), dest: 'etc' },
      ],
    });
    await expect(suiteInputEntries({ arch: 'amd64', script: '', tests: [{ index: 0, spec: clash }] })).rejects.toThrow(
      /test c: files .*conf\.json and .*other\/conf\.json both land at \/portmatrix\/t\/0\/etc\/conf\.json/,
    );
  });
});
