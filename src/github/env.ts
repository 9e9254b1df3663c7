// What `portmatrix comment` learns from the GitHub Actions environment:
// repository, pull-request number, token, and the URL of the current run.
// https://docs.github.com/en/actions/reference/variables-reference

import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';

export function requireToken(env: NodeJS.ProcessEnv): string {
  const token = env.GITHUB_TOKEN;
  if (!token) {
    throw new UsageError(
      'GITHUB_TOKEN is not set; give the step `env: { GITHUB_TOKEN: ${{ github.token }} }` ' + 'and the job `permissions: { pull-requests: write }`',
    );
  }
  return token;
}

export function parseRepository(env: NodeJS.ProcessEnv): { owner: string; repo: string } {
  const value = env.GITHUB_REPOSITORY ?? '';
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(value);
  if (!match) {
    throw new UsageError(
      value === '' ? 'GITHUB_REPOSITORY is not set; run inside GitHub Actions or set it to owner/repo' : `GITHUB_REPOSITORY="${value}" is not owner/repo`,
    );
  }
  return { owner: match[1]!, repo: match[2]! };
}

/** A positive whole number, or UsageError naming where the value came from. */
export function parsePrNumber(value: unknown, from: string): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^[1-9][0-9]{0,9}$/.test(text)) throw new UsageError(`${from}: "${String(value)}" is not a pull request number`);
  return Number(text);
}

/**
 * The PR number: --pr, else the event payload at $GITHUB_EVENT_PATH
 * (`pull_request.number`, or `issue.number` for issue_comment on a PR).
 */
export async function resolvePrNumber(option: string | undefined, env: NodeJS.ProcessEnv): Promise<number> {
  if (option !== undefined) return parsePrNumber(option, '--pr');
  const eventPath = env.GITHUB_EVENT_PATH;
  if (!eventPath) throw new UsageError('no pull request number: pass --pr N (GITHUB_EVENT_PATH is not set)');
  let event: { pull_request?: { number?: unknown }; issue?: { number?: unknown; pull_request?: unknown } };
  try {
    event = JSON.parse(await readFile(eventPath, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read the event payload ${eventPath}: ${(error as Error).message}; pass --pr N`);
  }
  const number = event.pull_request?.number ?? (event.issue?.pull_request ? event.issue.number : undefined);
  if (number === undefined) {
    throw new UsageError(
      `the ${env.GITHUB_EVENT_NAME ?? 'current'} event is not about a pull request; pass --pr N ` +
        '(in a workflow_run workflow, take it from the artifact the PR run saved)',
    );
  }
  return parsePrNumber(number, eventPath);
}

/** `<server>/<repo>/actions/runs/<id>`: the page holding the report artifact, if known. */
export function runUrl(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = env;
  if (!server || !repo || !id) return undefined;
  return `${server.replace(/\/+$/, '')}/${repo}/actions/runs/${id}`;
}
