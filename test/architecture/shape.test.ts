// The size of src/: functions of at most 40 lines (a template literal of more than 3
// lines counts as one) and files of at most 300, measured by scripts/fn-length.ts.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionLengths, longFiles, longFunctions } from '../../scripts/fn-length.js';
import { repoRoot } from '../helpers/cli.js';

const SRC = path.join(repoRoot, 'src');

describe('the shape of src/', () => {
  it('has no file over 300 lines', () => {
    expect(longFiles(SRC, repoRoot)).toEqual([]);
  });

  it('has no function over 40 lines (a long template literal counts as one line)', () => {
    expect(longFunctions(SRC, repoRoot).map((fn) => `${fn.file} ${fn.name} ${fn.lines} lines`)).toEqual([]);
  });

  it('counts a long template literal as one line and a long body in full', () => {
    const body = Array.from({ length: 45 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const script = Array.from({ length: 45 }, (_, i) => `echo ${i}`).join('\n');
    const [long] = functionLengths('a.ts', `function long() {\n${body}\n}\n`);
    const [templated] = functionLengths('b.ts', `function sh() {\n  return \`\n${script}\n\`;\n}\n`);
    expect(long).toMatchObject({ name: 'long', lines: 47 });
    expect(templated).toMatchObject({ name: 'sh', lines: 3 });
  });
});
