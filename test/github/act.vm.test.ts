// The repository's own workflow files (.github/workflows/portmatrix.yml and
// portmatrix-comment.yml, with the composite action.yml) run by nektos/act, a real
// runner implementation, in self-hosted mode: real jobs, real shards booting real
// kernels (debian:trixie, amd64 and arm64, from ~/.cache/portmatrix), artifacts
// through act's own artifact server.
//
// Stand-ins (this machine cannot reach github.com), listed in test/fixtures/act/README.md:
// actions/checkout, setup-node, setup-go, cache, upload-artifact and download-artifact
// are small local actions that do the same job here (the artifact ones speak act's
// artifact protocol); sudo, apt-get, udevadm and gh are scripts on PATH; the GitHub
// API is test/github/fake-github.ts.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActRun, act, actArtifactId, commit, FIXTURES, findAct, git, scratchRepo } from './act.js';
import { type FakeGithub, startFakeGithub } from './fake-github.js';

const MINUTE = 60_000;
const repository = { full_name: 'octo/pm', name: 'pm', owner: { login: 'octo' }, default_branch: 'main' };

describe('the workflows under act', () => {
  let dir: string;
  let repo: string;
  let gh: FakeGithub;
  let port = 34_600 + (process.pid % 300);

  beforeAll(async () => {
    findAct(); // throws, naming scripts/setup --dev, when act is missing
    dir = await mkdtemp(path.join(tmpdir(), 'pm-act-'));
    repo = path.join(dir, 'repo');
    await scratchRepo(repo);
    await git(repo, 'checkout', '-q', '-b', 'pr');
    gh = await startFakeGithub('octo', 'pm', 7);
  });
  afterAll(async () => {
    await gh?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A pull_request event on a new commit of the PR branch, then the comment workflow on its run. */
  async function pullRequest(matrix: string, runId: number): Promise<{ pr: ActRun; comment: ActRun; store: string }> {
    await git(repo, 'checkout', '-q', 'pr');
    await writeFile(path.join(repo, 'act-matrix.yaml'), matrix);
    const head = await commit(repo, `pr run ${runId}`);
    gh.pulls.set(7, head);
    const store = path.join(dir, 'store');
    const common = { repo, apiUrl: gh.url, store, timeoutMs: 25 * MINUTE };
    const pr = await act({
      ...common,
      event: 'pull_request',
      workflow: '.github/workflows/portmatrix.yml',
      payload: {
        pull_request: {
          number: 7,
          head: { sha: head, ref: 'pr', repo: { full_name: 'octo/pm' } },
          base: { ref: 'main' },
        },
        repository,
      },
      runId,
      port: port++,
      vars: { PORTMATRIX_MATRIX: 'act-matrix.yaml', PORTMATRIX_SHARDS: '2' },
    });
    const conclusion = pr.code === 0 ? 'success' : 'failure';
    const comment = await act({
      ...common,
      event: 'workflow_run',
      workflow: '.github/workflows/portmatrix-comment.yml',
      payload: {
        workflow_run: {
          id: runId,
          event: 'pull_request',
          conclusion,
          head_sha: head,
          html_url: `https://github.test/octo/pm/actions/runs/${runId}`,
        },
        repository,
      },
      runId: runId + 1,
      port: port++,
    });
    return { pr, comment, store };
  }

  const reportLink = (runId: number) => `https://github.test/octo/pm/actions/runs/${runId}/artifacts/${actArtifactId('report.html')}`;

  it(
    'plans, runs two shards, merges, uploads report.html unzipped and creates the sticky comment',
    async () => {
      const { pr, comment, store } = await pullRequest(await readFile(path.join(FIXTURES, 'matrix.yaml'), 'utf8'), 101);
      expect(pr.output).toMatch(/run 1\/2/);
      expect(pr.output).toMatch(/run 2\/2/);
      expect(pr.code, pr.output.slice(-6000)).toBe(0);
      expect(comment.code, comment.output.slice(-6000)).toBe(0);

      // The HTML report is one file as it is, not a zip; the results directory is zipped.
      expect(await readdir(path.join(store, '101', 'report.html'))).toEqual(['report.html.zip']);
      const html = await readFile(path.join(store, '101', 'report.html', 'report.html.zip'), 'utf8');
      expect(html.slice(0, 15).toLowerCase()).toBe('<!doctype html>');
      expect(html).toContain('execsnoop');
      const zipped = await readFile(path.join(store, '101', 'portmatrix-report', 'portmatrix-report.zip'));
      expect(zipped.subarray(0, 2).toString('latin1')).toBe('PK');

      expect(gh.comments).toHaveLength(1);
      expect(gh.comments[0]!.body).toContain('<!-- portmatrix:comment -->');
      expect(gh.comments[0]!.body).toContain(`(${reportLink(101)})`);
      expect(gh.comments[0]!.body).toMatch(/trixie.*amd64|amd64.*trixie/s);
    },
    60 * MINUTE,
  );

  it(
    'a failing cell fails the run with an annotation at the matrix line, and the same comment is updated',
    async () => {
      const failing = (await readFile(path.join(FIXTURES, 'matrix.yaml'), 'utf8')).replace(
        '  - name: default\n',
        // Lockdown hides bpf_probe_read from tracing programs: execsnoop cannot load.
        '  - name: default\n    cmdline: [lockdown=confidentiality]\n',
      );
      const { pr, comment } = await pullRequest(failing, 201);
      expect(pr.code).not.toBe(0);
      expect(pr.output).toMatch(/::error [^:]*file=act-matrix\.yaml,line=3::/);
      expect(comment.code, comment.output.slice(-6000)).toBe(0);
      expect(gh.comments).toHaveLength(1);
      expect(gh.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
      expect(gh.comments[0]!.body).toContain(`(${reportLink(201)})`);
      expect(gh.comments[0]!.body).toMatch(/❌/);
    },
    60 * MINUTE,
  );
});
