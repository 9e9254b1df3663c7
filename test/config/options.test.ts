// The option table through the real CLI: run's --help says which flag skips cells and
// which runs them again, every flag name run had still parses, bisect's earlier
// results dirs are --from, and images prune --lock keeps what another lock names.

import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { emptyLock, renderLock } from '../../src/images/lockfile.js';
import { runCli } from '../helpers/cli.js';

/** --help's option lines by heading: `{ 'Which cells:': ['--matrix', ...] }`. */
function helpGroups(help: string): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  let heading = '';
  for (const line of help.split('\n')) {
    if (/^\S.*:$/.test(line)) heading = line;
    const flag = /^ {2}(?:-\w, )?(--[\w-]+)/.exec(line)?.[1];
    if (flag) groups[heading] = [...(groups[heading] ?? []), flag];
  }
  return groups;
}

const tmp = () => mkdtemp(path.join(os.tmpdir(), 'pm-options-'));

describe('run --help', () => {
  it('puts the three ways to skip cells and the three to run one again under their own headings', async () => {
    const help = await runCli(['run', '--help'], { cwd: await tmp() });
    expect(help.code).toBe(0);
    const groups = helpGroups(help.stdout);
    const skip = 'Skip cells that finished before with identical inputs (each from a different place):';
    expect(groups[skip]).toEqual(['--resume', '--rerun-failed', '--reuse']);
    expect(groups['Run a cell again (each for a different reason):']).toEqual(['--retries', '--reruns', '--repeat']);
    // One line each, at the 80 columns help falls back to.
    const section = help.stdout.slice(help.stdout.indexOf(skip), help.stdout.indexOf('How cells boot:'));
    expect(section.split('\n').filter((l) => /^ {4,}\S/.test(l))).toEqual([]);
    expect(section).toContain('--retries <n>            after infra failures (not test ones) (default: 1)\n');
  });

  it('keeps every flag name run has had', async () => {
    const help = await runCli(['run', '--help'], { cwd: await tmp() });
    const flags = Object.values(helpGroups(help.stdout)).flat().sort();
    const had = ['--matrix', '--only', '--shard', '--jobs', '--results-dir', '--resume', '--accel', '--retries']
      .concat(['--reruns', '--repeat', '--strict', '--rerun-failed', '--reuse', '--no-snapshot', '--reporter'])
      .concat(['--verbose', '--cache-dir', '--mirror', '--allow-outside-project']);
    expect(flags).toEqual([...had, '--help'].sort());
  });
});

describe('bisect', () => {
  it('takes earlier results dirs with --from, and says so to --reuse', async () => {
    const dir = await tmp();
    const reuse = await runCli(['bisect', '--reuse', 'results'], { cwd: dir });
    expect(reuse.code).toBe(ExitCode.usage);
    expect(reuse.stderr).toContain('bisect takes the results dirs of earlier runs with --from <results-dir...>');
    expect(reuse.stderr).toContain("--reuse is run's result store");
    // --from parses: what stops this bisect is the missing matrix, not the flag.
    const from = await runCli(['bisect', '--from', 'results', 'results-old'], { cwd: dir });
    expect(from.code).toBe(ExitCode.usage);
    expect(from.stderr).toContain('matrix.yaml');
    expect(from.stderr).not.toContain('unknown option');
  });
});

describe('images prune --lock', () => {
  it("keeps the cache entries another project's lock names", async () => {
    const dir = await tmp();
    const cache = path.join(dir, 'cache');
    const [kept, dropped] = ['ab'.repeat(32), 'cd'.repeat(32)];
    await mkdir(path.join(cache, 'blobs', 'sha256'), { recursive: true });
    for (const hex of [kept, dropped]) await writeFile(path.join(cache, 'blobs', 'sha256', hex), 'x');
    const other = emptyLock();
    other.packages['trixie amd64 zlib1g'] = { sha256: kept, debs: [] };
    await writeFile(path.join(dir, 'other.lock'), renderLock(other));

    const pruned = await runCli(['images', 'prune', '--cache-dir', cache, '--lock', 'other.lock'], { cwd: dir });
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(await readdir(path.join(cache, 'blobs', 'sha256'))).toEqual([kept]);
    const all = await runCli(['images', 'prune', '--cache-dir', cache], { cwd: dir });
    expect(all.code, all.stderr).toBe(0);
    expect(await readdir(path.join(cache, 'blobs', 'sha256'))).toEqual([]);
  });
});
