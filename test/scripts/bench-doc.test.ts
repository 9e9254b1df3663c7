// The benches' figures land in their own marked section of docs/benchmarks.md, with
// the command, commit and host that made them; the rest of the doc stays as written.

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BENCH_DOC, commandLine, recordBench, replaceSection } from '../../scripts/bench-doc.js';
import { repoRoot } from '../helpers/cli.js';

const DOC = `# Benchmarks

<!-- bench:raw -->
old raw
<!-- /bench:raw -->

<!-- bench:snapshot -->
old snapshot
<!-- /bench:snapshot -->

## History

kept by hand
`;

describe('bench figures in docs/benchmarks.md', () => {
  it('replace their own section only, and append a section the doc lacks', () => {
    const replaced = replaceSection(DOC, 'snapshot', '<!-- bench:snapshot -->\nnew\n<!-- /bench:snapshot -->');
    expect(replaced).toBe(DOC.replace('old snapshot', 'new'));
    const appended = replaceSection(DOC, 'vng', '<!-- bench:vng -->\nvng\n<!-- /bench:vng -->');
    expect(appended).toBe(`${DOC}\n<!-- bench:vng -->\nvng\n<!-- /bench:vng -->\n`);
  });

  it('say which command, commit and host made them', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'pm-bench-doc-')), 'benchmarks.md');
    await writeFile(file, DOC);
    const command = commandLine('npm run bench', '--', ['--snapshot', '--rounds', '5']);
    expect(command).toBe('npm run bench -- --snapshot --rounds 5');
    expect(commandLine('npm run bench', '--', [])).toBe('npm run bench');
    await recordBench({ name: 'raw', command, lines: ['arch  a', 'amd64 1'] }, { file, repoRoot });
    const text = await readFile(file, 'utf8');
    const commit = '([0-9a-f]{7,})( with uncommitted changes)?';
    const where = String.raw`on ${commit}, (\d{4}-\d\d-\d\d), (\d+) × .+, Node v[\d.]+`;
    const table = '```\narch  a\namd64 1\n```';
    const section = new RegExp(`<!-- bench:raw -->\n\`${command}\`\n${where}:\n\n${table}\n<!-- /bench:raw -->`);
    expect(text).toMatch(section);
    expect(text.replace(section, 'X')).toBe(DOC.replace(/<!-- bench:raw -->\nold raw\n<!-- \/bench:raw -->/, 'X'));
    const [, , , day, cpus] = section.exec(text)!;
    expect(day).toBe(new Date().toISOString().slice(0, 10));
    expect(Number(cpus)).toBe(os.cpus().length);
  });

  it('are the doc the repository keeps, with a section for every bench', async () => {
    expect(BENCH_DOC).toBe(path.join(repoRoot, 'docs/benchmarks.md'));
    const doc = await readFile(BENCH_DOC, 'utf8');
    for (const name of ['raw', 'snapshot', 'example', 'suite', 'vng']) {
      expect(doc.split(`<!-- bench:${name} -->`), name).toHaveLength(2);
      expect(doc.split(`<!-- /bench:${name} -->`), name).toHaveLength(2);
    }
  });
});
