// `portmatrix comment <results-dir> [--base <dir>] [--pr N] [--report-url URL]`:
// creates or updates the sticky pull-request comment. Exit 0 on success; 2 when
// the token, repository or PR is wrong (incl. missing `pull-requests: write`);
// 3 when GitHub or the network fails.

import path from 'node:path';
import type { Context } from '../context.js';
import { ExitCode } from '../errors.js';
import { createClient, upsertComment } from '../github/comment.js';
import { buildCommentBody, commentMarker } from '../github/comment-body.js';
import { parseRepository, requireToken, resolvePrNumber, runUrl } from '../github/env.js';
import { renderMarkdown } from '../report/markdown.js';
import { readResults } from '../results/read.js';

export interface CommentOptions {
  base?: string;
  pr?: string;
  reportUrl?: string;
  /** Optional marker suffix for several matrices in one PR (not wired in cli.ts yet). */
  id?: string;
}

export default async function comment(ctx: Context, opts: CommentOptions, dir: string): Promise<number> {
  // Validate the environment before reading anything, so mistakes surface fast.
  const token = requireToken(ctx.env);
  const { owner, repo } = parseRepository(ctx.env);
  const issue = await resolvePrNumber(opts.pr, ctx.env);

  const head = await readResults(path.resolve(ctx.cwd, dir));
  const base = opts.base ? await readResults(path.resolve(ctx.cwd, opts.base)) : undefined;
  const marker = commentMarker(opts.id);
  const body = buildCommentBody({
    head,
    base,
    id: opts.id,
    reportUrl: opts.reportUrl || runUrl(ctx.env),
    render: renderMarkdown,
  });

  const octokit = createClient({
    token,
    apiUrl: ctx.env.GITHUB_API_URL,
    warn: (m) => ctx.stderr.write(`portmatrix: github: ${m}\n`),
  });
  const result = await upsertComment(octokit, token, { owner, repo, issue }, marker, body);
  ctx.stdout.write(`portmatrix: ${result.action} the comment on ${owner}/${repo}#${issue}: ${result.url}\n`);
  return ExitCode.ok;
}
