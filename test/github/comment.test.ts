// `portmatrix comment` against a fake GitHub API on 127.0.0.1, through the real
// CLI entry and the real Octokit client.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { type FakeGithub, seedOthers, startFakeGithub } from './fake-github.js';
import { results, writeResultsDir } from './results.js';

const TOKEN = 'ghs_S3cr3tT0kenValue0123456789abcdefXYZ';
const MARKER = '<!-- portmatrix:comment -->';
let tmp: string;
let _headDir: string;
let _baseDir: string;
let gh: FakeGithub | undefined;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'pm-comment-'));
  _headDir = await writeResultsDir(
    path.join(tmp, 'head'),
    results([
      ['amd64/debian-6.1/default', 'pass'],
      ['arm64/debian-6.1/default', 'fail', 'verifier rejection'],
      ['s390x/debian-6.1/default', 'xfail', 'no BTF'],
    ]),
  );
  _baseDir = await writeResultsDir(
    path.join(tmp, 'base'),
    results([
      ['amd64/debian-6.1/default', 'pass'],
      ['arm64/debian-6.1/default', 'pass'],
      ['s390x/debian-6.1/default', 'xfail', 'no BTF'],
    ]),
  );
  return () => rm(tmp, { recursive: true, force: true });
});

afterEach(async () => {
  await gh?.close();
  gh = undefined;
});

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d) => (text += d));
  return { stream, text: () => text };
}

async function cli(args: string[], env: Record<string, string | undefined>) {
  const out = capture();
  const err = capture();
  // Our own signal: main() then installs no process-wide SIGINT/SIGTERM handlers.
  const code = await main(args, {
    cwd: tmp,
    env,
    stdout: out.stream,
    stderr: err.stream,
    signal: new AbortController().signal,
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

const envFor = (url: string, extra: Record<string, string> = {}) => ({
  GITHUB_TOKEN: TOKEN,
  GITHUB_REPOSITORY: 'octo/ebpf-app',
  GITHUB_API_URL: url,
  ...extra,
});

describe('portmatrix comment', () => {
  it('creates the comment, then updates the same one in place', async () => {
    gh = await startFakeGithub('octo', 'ebpf-app', 7);
    const first = await cli(['comment', 'head', '--pr', '7'], envFor(gh.url));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/created the comment on octo\/ebpf-app#7: https:\/\/github.test\//);
    expect(gh.comments).toHaveLength(1);
    const id = gh.comments[0]!.id;

    const second = await cli(['comment', 'head', '--pr', '7', '--base', 'base', '--report-url', 'https://example.test/run/1'], envFor(gh.url));
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('updated the comment');
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.id).toBe(id);
    expect(gh.comments[0]!.body).toContain('regression against the base branch');
    expect(gh.comments[0]!.body).toContain('https://example.test/run/1');
    // The token went to GitHub, in the Authorization header only.
    expect(gh.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);
  });

  it('finds its comment past the first page and stops paging there', async () => {
    gh = await startFakeGithub('octo', 'ebpf-app', 7);
    seedOthers(gh, 150);
    gh.comments.push({
      id: 5000,
      body: `${MARKER}\nold`,
      user: { login: 'github-actions[bot]', type: 'Bot' },
      html_url: 'https://github.test/c/5000',
    });
    seedOthers(gh, 120); // pages 3 and 4 exist and must not be fetched
    const r = await cli(['comment', 'head', '--pr', '7'], envFor(gh.url));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('updated the comment');
    expect(gh.comments.find((c) => c.id === 5000)!.body).not.toContain('old');
    const pages = gh.requests.filter((q) => q.method === 'GET' && q.path.includes('/comments')).map((q) => q.path);
    expect(pages).toHaveLength(2);
    expect(pages[0]).toContain('per_page=100');
    expect(pages[1]).toContain('page=2');
    expect(gh.requests.some((q) => q.method === 'POST')).toBe(false);
  });

  it('never edits a human comment that quotes the marker (installation token)', async () => {
    gh = await startFakeGithub('octo', 'ebpf-app', 7);
    gh.comments.push({ id: 1, body: `look: ${MARKER}`, user: { login: 'alice', type: 'User' }, html_url: 'x' });
    const r = await cli(['comment', 'head', '--pr', '7'], envFor(gh.url));
    expect(r.code).toBe(0);
    expect(gh.comments).toHaveLength(2);
    expect(gh.comments[0]!.body).toBe(`look: ${MARKER}`);
  });

  it('with a personal token matches by the authenticated login, not by any bot', async () => {
    gh = await startFakeGithub('octo', 'ebpf-app', 7, { login: 'ci-user' });
    gh.comments.push({
      id: 1,
      body: `${MARKER}\nother bot`,
      user: { login: 'other[bot]', type: 'Bot' },
      html_url: 'x',
    });
    gh.comments.push({ id: 2, body: `${MARKER}\nmine`, user: { login: 'ci-user', type: 'User' }, html_url: 'y' });
    const r = await cli(['comment', 'head', '--pr', '7'], envFor(gh.url));
    expect(r.code).toBe(0);
    expect(gh.comments.map((c) => c.body.endsWith('other bot'))).toEqual([true, false]);
    expect(gh.comments[1]!.body).not.toContain('mine');
  });

  it('explains a read-only (fork) token with exit 2 and never prints the token', async () => {
    gh = await startFakeGithub('octo', 'ebpf-app', 7, { readOnly: true });
    const r = await cli(['comment', 'head', '--pr', '7'], envFor(gh.url));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot create a comment on octo/ebpf-app#7: GitHub answered 403 "Resource not accessible by integration"');
    expect(r.stderr).toContain('pull-requests: write');
    expect(r.stderr).toContain('workflow_run');
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    expect(r.stdout + r.stderr).not.toContain(TOKEN.slice(4, 20));
  });

  it('reports an unreachable API as an infrastructure error (exit 3) without the token', async () => {
    const r = await cli(['comment', 'head', '--pr', '7'], envFor('http://127.0.0.1:9'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot identify the token user on octo\/ebpf-app#7: .*check the network and GITHUB_API_URL/);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('names GITHUB_TOKEN when it is missing', async () => {
    const r = await cli(['comment', 'head', '--pr', '7'], { GITHUB_REPOSITORY: 'octo/ebpf-app' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GITHUB_TOKEN is not set');
  });

  it('takes the PR number from the event payload and links the run page', async () => {
    gh = await startFakeGithub('octo', 'ebpf-app', 42);
    const event = path.join(tmp, 'event.json');
    await writeFile(event, JSON.stringify({ pull_request: { number: 42 } }));
    const r = await cli(['comment', 'head'], envFor(gh.url, { GITHUB_EVENT_PATH: event, GITHUB_SERVER_URL: 'https://github.com', GITHUB_RUN_ID: '99' }));
    expect(r.code).toBe(0);
    expect(gh.comments[0]!.body).toContain('https://github.com/octo/ebpf-app/actions/runs/99');
  });

  it('rejects a PR number that is not a whole number', async () => {
    const r = await cli(['comment', 'head', '--pr', '7; rm -rf /'], envFor('http://127.0.0.1:9'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a pull request number');
  });
});
