// `portmatrix lock-pr` against the project's fake GitHub (fake-github.ts, a STAND-IN
// for api.github.com, which this machine cannot reach): the scheduled workflow's one
// pull request, opened, then updated; a newer kernel that broke a cell says so at the
// top; a token that may not write pull requests puts the missing permission in the
// job summary.

import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeResults } from '../../src/report/index.js';
import type { RunResults } from '../../src/results/model.js';
import { cellResult, runResults } from '../helpers/cells.js';
import { cli } from '../plan/helpers.js';
import { type FakeGithub, startFakeGithub } from './fake-github.js';

const CHANGE = 'kernel debian:trixie amd64: 6.12.107+deb13-amd64 6.12.107-1 → 6.12.117+deb13-amd64 6.12.117-1';
const CHECK_OUTPUT = `${CHANGE}\n1 newer than portmatrix.lock: portmatrix lock --update moves it\n`;

let dir: string;
let gh: FakeGithub;

async function resultsDir(name: string, results: RunResults): Promise<string> {
  await mkdir(path.join(dir, name), { recursive: true });
  await writeFile(path.join(dir, name, 'results.json'), serializeResults(results));
  return name;
}

const trixie = (status: 'pass' | 'fail', reason?: string) =>
  runResults([cellResult({ id: 'amd64/debian-trixie/default', status, reason, exitCode: status === 'fail' ? 1 : 0 })]);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pm-lock-pr-'));
  await writeFile(path.join(dir, 'changes.txt'), CHECK_OUTPUT);
  await resultsDir('base', trixie('pass'));
  await resultsDir('broken', trixie('fail', 'kprobe symbol not found: __x64_sys_execve'));
  await resultsDir('fine', trixie('pass'));
});
let ro: FakeGithub | undefined;
afterAll(async () => {
  await gh?.close();
  await ro?.close();
});

function lockPr(api: FakeGithub, results: string, extra: NodeJS.ProcessEnv = {}) {
  const env = { GITHUB_TOKEN: 'ghs_secret', GITHUB_REPOSITORY: 'octo/pm', GITHUB_API_URL: api.url, ...extra };
  return cli(['lock-pr', results, '--changes', 'changes.txt', '--base', 'base'], dir, env);
}

describe('portmatrix lock-pr', () => {
  it('opens one pull request whose top names the cell a newer kernel broke, then updates the same one', async () => {
    gh = await startFakeGithub('octo', 'pm', 1);
    const first = await lockPr(gh, 'broken');
    expect(first.code, first.stderr).toBe(0);
    const url = 'https://github.test/octo/pm/pull/100';
    expect(first.stdout).toBe(`portmatrix: created pull request #100 on octo/pm: ${url}\n`);
    expect(gh.opened).toHaveLength(1);
    const pr = gh.opened[0]!;
    expect([pr.head, pr.base, pr.title]).toEqual(['portmatrix/kernels', 'main', 'portmatrix.lock: 1 newer build']);
    expect(pr.body.split('\n').slice(0, 3)).toEqual([
      '## ❌ The newer builds broke 1 cell that passed before',
      '',
      '- `amd64/debian-trixie/default`: kprobe symbol not found: __x64_sys_execve',
    ]);
    expect(pr.body).toContain(`\`\`\`\n${CHANGE}\n\`\`\``);
    expect(pr.body).not.toContain('lock --update moves it');
    expect(pr.body).toContain('<!-- portmatrix:comment:kernels -->');

    const second = await lockPr(gh, 'fine');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('updated pull request #100');
    expect(gh.opened).toHaveLength(1);
    const patched = gh.requests.filter((r) => r.method === 'PATCH').map((r) => r.path);
    expect(patched).toEqual(['/repos/octo/pm/pulls/100']);
    const top = gh.opened[0]!.body.split('\n')[0];
    expect(top).toBe(`## ✅ On the newer builds: all 1 cells as expected, and no cell that passed before fails`);
  });

  it('a token that may not write pull requests: exit 2, and the job summary names the permission', async () => {
    ro = await startFakeGithub('octo', 'pm', 1, { readOnly: true });
    const summary = path.join(dir, 'summary.md');
    await writeFile(summary, '## the run\n');
    const run = await lockPr(ro, 'fine', { GITHUB_STEP_SUMMARY: summary });
    expect(run.code).toBe(2);
    const why = 'cannot open a pull request on octo/pm: GitHub answered 403; the token lacks `pull-requests: write`';
    expect(run.stderr).toContain(why);
    expect(run.stderr).not.toContain('ghs_secret');
    const text = await readFile(summary, 'utf8');
    expect(text.startsWith('## the run\n')).toBe(true);
    expect(text).toContain(`**portmatrix could not open the kernel pull request:** ${why}`);
    expect(text).toContain('allow GitHub Actions to create pull requests');
    expect(ro.opened).toHaveLength(0);
  });

  it('without --changes, says what to give', async () => {
    const env = { GITHUB_TOKEN: 't', GITHUB_REPOSITORY: 'octo/pm' };
    const run = await cli(['lock-pr', 'fine'], dir, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--changes FILE is required: the output of `portmatrix lock --check`');
  });
});
