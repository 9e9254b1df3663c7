// `portmatrix lock-pr <results-dir> --changes FILE [--base DIR] [--branch B] [--into B]`:
// opens or updates the one pull request that moves portmatrix.lock to newer builds
// (the branch already pushed by the workflow), its body the lock lines that moved and
// the run on them (lock-pr-body.ts). When GitHub refuses, the job summary says what
// permission is missing; exit codes as for `comment` (2 the workflow's fix, 3 GitHub's).

import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { ExitCode, PortmatrixError, UsageError } from '../errors.js';
import { createClient } from '../github/comment.js';
import { parseRepository, requireToken, runUrl } from '../github/env.js';
import { lockPrBody } from '../github/lock-pr-body.js';
import { upsertPullRequest } from '../github/pull-request.js';
import { readResults } from '../results/read.js';

export interface LockPrOptions {
  /** The lines `lock --check` printed (what moved). */
  changes?: string;
  /** Results of the base branch: cells that passed there and fail here are named at the top. */
  base?: string;
  /** The branch the lock change was pushed to (default portmatrix/kernels). */
  branch?: string;
  /** The branch to merge into (default $GITHUB_REF_NAME, else main). */
  into?: string;
  reportUrl?: string;
}

/** The `kernel …: a → b` lines of `lock --check`'s output, without its last line. */
async function changeLines(ctx: Context, file: string | undefined): Promise<string[]> {
  if (!file) throw new UsageError('--changes FILE is required: the output of `portmatrix lock --check`');
  const text = await readFile(path.resolve(ctx.cwd, file), 'utf8').catch((error: Error) => {
    throw new UsageError(`--changes ${file}: ${error.message}`);
  });
  return text.split('\n').filter((l) => / → /.test(l));
}

/** GitHub's refusal in the job summary, where the run's reader looks; then the error as it was. */
async function summarise(ctx: Context, error: unknown): Promise<never> {
  const file = ctx.env.GITHUB_STEP_SUMMARY;
  if (file && error instanceof PortmatrixError) {
    const line = `\n**portmatrix could not open the kernel pull request:** ${error.message}\n`;
    await appendFile(path.resolve(ctx.cwd, file), line);
  }
  throw error;
}

export default async function lockPr(ctx: Context, opts: LockPrOptions, dir: string): Promise<number> {
  const token = requireToken(ctx.env);
  const { owner, repo } = parseRepository(ctx.env);
  const changes = await changeLines(ctx, opts.changes);
  const head = await readResults(path.resolve(ctx.cwd, dir));
  const base = opts.base ? await readResults(path.resolve(ctx.cwd, opts.base)) : undefined;
  const body = lockPrBody({ changes, head, base, reportUrl: opts.reportUrl || runUrl(ctx.env) });
  const title = `portmatrix.lock: ${changes.length === 1 ? '1 newer build' : `${changes.length} newer builds`}`;
  const warn = (m: string) => ctx.stderr.write(`portmatrix: github: ${m}\n`);
  const octokit = createClient({ token, apiUrl: ctx.env.GITHUB_API_URL, warn });
  const into = opts.into ?? ctx.env.GITHUB_REF_NAME ?? 'main';
  const target = { owner, repo, head: opts.branch ?? 'portmatrix/kernels', base: into };
  const pr = upsertPullRequest(octokit, token, target, { title, body });
  const result = await pr.catch((e: unknown) => summarise(ctx, e));
  ctx.stdout.write(`portmatrix: ${result.action} pull request #${result.number} on ${owner}/${repo}: ${result.url}\n`);
  return ExitCode.ok;
}
