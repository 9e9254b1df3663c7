// The sticky PR comment through the GitHub REST API: find our previous comment
// (marker + author), update it in place, or create it. The only module here that
// talks to the network.
//
// Which comment is "ours": the body contains the marker AND the author is the
// authenticated user. GET /user answers for personal access tokens, but the
// Actions GITHUB_TOKEN (an installation token) gets 403 there; then any comment
// whose author is a bot (`user.type === 'Bot'`, e.g. `github-actions[bot]` or a
// GitHub App) counts. Comments by humans are never edited, even if they quote the
// marker.
//
// Errors (exit codes from errors.ts):
//   401, 403, 404, 422 → UsageError, exit 2: the fix is in the workflow (token,
//     `permissions: pull-requests: write`, repo or PR number), a retry cannot help.
//   rate limit, 5xx, network → InfraError, exit 3.
// Messages never contain the token: they are built from the status and GitHub's
// message only (not from the request), and scrubbed of the token anyway.

import { Octokit } from '@octokit/rest';
import { InfraError, type PortmatrixError, UsageError } from '../errors.js';

export interface CommentTarget {
  owner: string;
  repo: string;
  issue: number;
}

export interface UpsertResult {
  action: 'created' | 'updated';
  id: number;
  url: string;
}

export interface ClientOptions {
  token: string;
  /** GITHUB_API_URL; default https://api.github.com (GHES sets its own). */
  apiUrl?: string;
  /** Where Octokit's deprecation warnings go (default: nowhere). Its per-request
   * error lines are dropped: toGithubError says the same with a remedy. */
  warn?: (message: string) => void;
}

export function createClient(opts: ClientOptions): Octokit {
  const warn = (m: string) => opts.warn?.(redact(m, opts.token));
  return new Octokit({
    auth: opts.token,
    baseUrl: (opts.apiUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: 'portmatrix',
    log: { debug: () => {}, info: () => {}, warn, error: () => {} },
  });
}

/** Removes every occurrence of the token from text that is about to be printed. */
export function redact(text: string, token: string): string {
  return token.length >= 4 ? text.split(token).join('***') : text;
}

interface HttpishError {
  status?: number;
  message?: string;
  response?: { data?: unknown; headers?: Record<string, string | number | undefined> };
}

/** Maps an Octokit failure to a typed error with a message that says what to do. */
/** What a request was about: a repository, and the issue or pull request when there is one. */
type GithubTarget = Pick<CommentTarget, 'owner' | 'repo'> & { issue?: number };

export function toGithubError(error: unknown, token: string, doing: string, target: GithubTarget): PortmatrixError {
  const e = (error ?? {}) as HttpishError;
  // Octokit reports a failed fetch (refused, DNS, TLS) as status 500 without a response.
  const status = typeof e.status === 'number' && e.response ? e.status : undefined;
  const data = e.response?.data as { message?: unknown } | undefined;
  const ghMessage = typeof data?.message === 'string' ? data.message : undefined;
  const where = `${target.owner}/${target.repo}${target.issue === undefined ? '' : `#${target.issue}`}`;
  const said = `GitHub answered ${status}${ghMessage ? ` "${ghMessage}"` : ''}`;
  let message: string;
  let usage = true;
  if (status === 401) {
    message = `cannot ${doing} on ${where}: ${said}; GITHUB_TOKEN is invalid or expired`;
  } else if (status === 403 && String(e.response?.headers?.['x-ratelimit-remaining']) === '0') {
    message = `cannot ${doing} on ${where}: ${said}; the API rate limit is exhausted, retry later`;
    usage = false;
  } else if (status === 403) {
    message =
      `cannot ${doing} on ${where}: ${said}; the token lacks the \`pull-requests: write\` permission. ` +
      'Add `permissions: { pull-requests: write }` to the job. For pull requests from forks GITHUB_TOKEN is always ' +
      'read-only: comment from a separate workflow triggered by `workflow_run` (see docs/github-actions.md)';
  } else if (status === 404) {
    message = `cannot ${doing} on ${where}: ${said}; check GITHUB_REPOSITORY and the PR number, and that the token ` + 'can read this repository';
  } else if (status === 422) {
    message = `cannot ${doing} on ${where}: ${said}; GitHub rejected the comment body`;
  } else if (status !== undefined) {
    message = `cannot ${doing} on ${where}: ${said}; GitHub is having trouble, retry later`;
    usage = false;
  } else {
    message = `cannot ${doing} on ${where}: ${e.message ?? String(error)}; check the network and GITHUB_API_URL`;
    usage = false;
  }
  // No `cause`: Octokit errors carry the request (headers included) and a top-level
  // catch that prints causes must not be able to leak it.
  message = redact(message, token);
  return usage ? new UsageError(message) : new InfraError(message);
}

/** The login of the token's user, or undefined for installation tokens (403/404 on GET /user). */
export async function authenticatedLogin(octokit: Octokit): Promise<string | undefined> {
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    return data.login;
  } catch (error) {
    const status = (error as HttpishError).status;
    if (status === 403 || status === 404) return undefined;
    throw error;
  }
}

interface IssueComment {
  id: number;
  body?: string;
  html_url: string;
  user: { login: string; type?: string } | null;
}

/** Our previous comment, or undefined. Pages through all comments, stopping at the first match. */
export async function findComment(octokit: Octokit, target: CommentTarget, marker: string, login: string | undefined) {
  const ours = (c: IssueComment) => (c.body ?? '').includes(marker) && (login !== undefined ? c.user?.login === login : c.user?.type === 'Bot');
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issue,
    per_page: 100,
  });
  for await (const page of pages) {
    const found = (page.data as IssueComment[]).find(ours);
    if (found) return found;
  }
  return undefined;
}

/** Updates our comment in place, or creates it. */
export async function upsertComment(octokit: Octokit, token: string, target: CommentTarget, marker: string, body: string): Promise<UpsertResult> {
  const step = async <T>(doing: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw toGithubError(error, token, doing, target);
    }
  };
  const login = await step('identify the token user', () => authenticatedLogin(octokit));
  const existing = await step('list comments', () => findComment(octokit, target, marker, login));
  const base = { owner: target.owner, repo: target.repo };
  if (existing) {
    const { data } = await step('update the comment', () => octokit.rest.issues.updateComment({ ...base, comment_id: existing.id, body }));
    return { action: 'updated', id: data.id, url: data.html_url };
  }
  const { data } = await step('create a comment', () => octokit.rest.issues.createComment({ ...base, issue_number: target.issue, body }));
  return { action: 'created', id: data.id, url: data.html_url };
}
