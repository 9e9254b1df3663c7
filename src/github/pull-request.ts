// One pull request per head branch through the GitHub REST API: the open pull request
// from `head` is updated in place, or one is created. The scheduled kernel workflow
// uses it for the lock change (docs/github-actions.md, "Kernels kept current").
//
// A 403 here means the token may not write pull requests: `pull-requests: write` on
// the job, and for the Actions GITHUB_TOKEN the repository setting that lets GitHub
// Actions create pull requests. Every other failure is worded as for the comment.

import type { Octokit } from '@octokit/rest';
import { UsageError } from '../errors.js';
import { redact, toGithubError } from './comment.js';

export interface PullRequestTarget {
  owner: string;
  repo: string;
  /** The branch the change was pushed to. */
  head: string;
  /** The branch it should merge into. */
  base: string;
}

export interface PullRequestResult {
  action: 'created' | 'updated';
  number: number;
  url: string;
}

/** What the token lacks when GitHub answers 403 to a pull-request write. */
export const PULL_REQUEST_PERMISSION =
  'the token lacks `pull-requests: write`: add ' +
  '`permissions: { contents: write, pull-requests: write }` to the job, and allow GitHub Actions ' +
  'to create pull requests (Settings → Actions → General → Workflow permissions)';

function pullRequestError(error: unknown, token: string, doing: string, target: PullRequestTarget) {
  const status = (error as { status?: number; response?: unknown }).status;
  const answered = (error as { response?: unknown }).response !== undefined;
  if (status !== 403 || !answered) return toGithubError(error, token, doing, target);
  const message = `cannot ${doing} on ${target.owner}/${target.repo}: GitHub answered 403; ${PULL_REQUEST_PERMISSION}`;
  return new UsageError(redact(message, token));
}

/** Updates the open pull request from `head` into `base`, or opens one. */
export async function upsertPullRequest(
  octokit: Octokit,
  token: string,
  target: PullRequestTarget,
  pr: { title: string; body: string },
): Promise<PullRequestResult> {
  const step = async <T>(doing: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw pullRequestError(error, token, doing, target);
    }
  };
  const { owner, repo, head, base } = target;
  const { pulls } = octokit.rest;
  const list = () => pulls.list({ owner, repo, state: 'open', head: `${owner}:${head}`, base });
  const open = await step('list pull requests', list);
  const existing = open.data[0];
  if (existing) {
    const update = () => pulls.update({ owner, repo, pull_number: existing.number, ...pr });
    const { data } = await step('update the pull request', update);
    return { action: 'updated', number: data.number, url: data.html_url };
  }
  const { data } = await step('open a pull request', () => pulls.create({ owner, repo, head, base, ...pr }));
  return { action: 'created', number: data.number, url: data.html_url };
}
