// A tiny GitHub REST API on 127.0.0.1 with just the endpoints the sticky comment
// uses, honouring per_page/page and sending Link headers like api.github.com; and
// the two portmatrix-comment.yml reads through `gh`: a pull request's head, and a
// workflow's runs (none: there is no base run to diff against); and the pull requests
// `lock-pr` lists by head branch, opens and updates.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: 'User' | 'Bot' };
  html_url: string;
}

/** A pull request opened through the API (`lock-pr`). */
export interface FakePull {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  html_url: string;
}

export interface FakeGithubOptions {
  /** Login of the token's user; undefined = installation token (GET /user → 403). */
  login?: string;
  /** Author used for comments the token creates (installation tokens: github-actions[bot]). */
  author?: { login: string; type: 'User' | 'Bot' };
  /** A read-only token, as on pull requests from forks: writes answer 403. */
  readOnly?: boolean;
}

export interface FakeGithub {
  url: string;
  comments: FakeComment[];
  /** Head commit of each pull request, served at GET /repos/:owner/:repo/pulls/:n. */
  pulls: Map<number, string>;
  /** Pull requests opened through the API. */
  opened: FakePull[];
  requests: { method: string; path: string; authorization?: string }[];
  close(): Promise<void>;
}

export async function startFakeGithub(owner: string, repo: string, issue: number, opts: FakeGithubOptions = {}): Promise<FakeGithub> {
  const comments: FakeComment[] = [];
  const pulls = new Map<number, string>();
  const opened: FakePull[] = [];
  const requests: FakeGithub['requests'] = [];
  let nextId = 1000;
  const author = opts.author ?? (opts.login ? { login: opts.login, type: 'User' as const } : { login: 'github-actions[bot]', type: 'Bot' as const });
  const listPath = `/repos/${owner}/${repo}/issues/${issue}/comments`;
  const patchPath = new RegExp(`^/repos/${owner}/${repo}/issues/comments/(\\d+)$`);

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    requests.push({
      method: req.method ?? '',
      path: url.pathname + url.search,
      authorization: req.headers.authorization,
    });
    const send = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(data));
    };
    const forbidden = () =>
      send(403, {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest',
        status: '403',
      });

    if (req.method === 'GET' && url.pathname === '/user') {
      return opts.login ? send(200, { login: opts.login, type: 'User' }) : forbidden();
    }
    if (url.pathname === listPath && req.method === 'GET') {
      const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), 100);
      const page = Number(url.searchParams.get('page') ?? 1);
      const last = Math.max(1, Math.ceil(comments.length / perPage));
      const links: string[] = [];
      const at = (p: number) => `<${url.origin}${listPath}?per_page=${perPage}&page=${p}>`;
      if (page < last) links.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
      if (page > 1) links.push(`${at(1)}; rel="first"`, `${at(page - 1)}; rel="prev"`);
      return send(200, comments.slice((page - 1) * perPage, page * perPage), links.length ? { link: links.join(', ') } : {});
    }
    if (url.pathname === listPath && req.method === 'POST') {
      if (opts.readOnly) return forbidden();
      const id = nextId++;
      const c: FakeComment = {
        id,
        body: body.body,
        user: author,
        html_url: `https://github.test/${owner}/${repo}/pull/${issue}#issuecomment-${id}`,
      };
      comments.push(c);
      return send(201, c);
    }
    const pullsPath = `/repos/${owner}/${repo}/pulls`;
    if (url.pathname === pullsPath) {
      if (req.method === 'GET') {
        const [, branch] = (url.searchParams.get('head') ?? '').split(':');
        return send(
          200,
          opened.filter((p) => p.state === 'open' && (!branch || p.head === branch)),
        );
      }
      if (opts.readOnly) return forbidden();
      const p: FakePull = { number: 100 + opened.length, state: 'open', html_url: '', ...body };
      p.html_url = `https://github.test/${owner}/${repo}/pull/${p.number}`;
      opened.push(p);
      return send(201, p);
    }
    const pull = new RegExp(`^/repos/${owner}/${repo}/pulls/(\\d+)$`).exec(url.pathname);
    const openedPull = pull ? opened.find((p) => p.number === Number(pull[1])) : undefined;
    if (openedPull && req.method === 'PATCH') {
      if (opts.readOnly) return forbidden();
      Object.assign(openedPull, { title: body.title, body: body.body });
      return send(200, openedPull);
    }
    if (pull && req.method === 'GET') {
      const sha = pulls.get(Number(pull[1]));
      return sha ? send(200, { number: Number(pull[1]), head: { sha } }) : send(404, { message: 'Not Found' });
    }
    if (req.method === 'GET' && new RegExp(`^/repos/${owner}/${repo}/actions/workflows/[^/]+/runs$`).test(url.pathname)) {
      return send(200, { total_count: 0, workflow_runs: [] });
    }
    const m = patchPath.exec(url.pathname);
    if (m && req.method === 'PATCH') {
      if (opts.readOnly) return forbidden();
      const c = comments.find((x) => x.id === Number(m[1]));
      if (!c) return send(404, { message: 'Not Found' });
      c.body = body.body;
      return send(200, c);
    }
    send(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    comments,
    pulls,
    opened,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Seeds `n` comments by other people and bots, none with our marker. */
export function seedOthers(gh: FakeGithub, n: number): void {
  for (let i = 0; i < n; i++) {
    gh.comments.push({
      id: i + 1,
      body: `LGTM ${i}`,
      user: i % 3 === 0 ? { login: 'codecov[bot]', type: 'Bot' } : { login: `dev${i}`, type: 'User' },
      html_url: `https://github.test/c/${i + 1}`,
    });
  }
}
