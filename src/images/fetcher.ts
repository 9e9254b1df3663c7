// Downloads over HTTP(S) with Node's fetch: a limiter of its own (separate from the
// VM scheduler), retries with backoff on network errors and 5xx, resumption of a
// partial download (Range on the temp file), AbortSignal honoured, and progress.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import pLimit from 'p-limit';
import { InfraError } from '../errors.js';

/** The server answered 404/410: the file is not there (caller may fall back). */
export class NotFoundError extends InfraError {
  constructor(readonly url: string) {
    super(`not found on the server: ${url}`);
  }
}

export interface FetcherOptions {
  concurrency?: number;
  retries?: number;
  /** First backoff in ms; doubles per attempt. */
  backoffMs?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
  progress?: { write(chunk: string): unknown; isTTY?: boolean };
  headers?: Record<string, string>;
}

export interface Fetched {
  sha256: string;
  size: number;
  ms: number;
}

const MiB = 1024 * 1024;

async function hashExisting(file: string): Promise<{ hash: ReturnType<typeof createHash>; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    size = (await stat(file)).size;
  } catch {
    return { hash, size: 0 };
  }
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return { hash, size };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });

type Progress = FetcherOptions['progress'];

/** Streams a response body into `dest` (appending after `have` bytes), hashing and showing progress. */
async function saveBody(res: Response, dest: string, have: { hash: ReturnType<typeof createHash>; size: number }, name: string, progress: Progress) {
  const append = res.status === 206 && have.size > 0;
  const file = await open(dest, append ? 'a' : 'w');
  const h = append ? have.hash : createHash('sha256');
  let size = append ? have.size : 0;
  const total = Number(res.headers.get('content-length') ?? 0) + (append ? have.size : 0);
  let lastDraw = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      h.update(chunk);
      size += chunk.length;
      await file.write(chunk);
      if (progress?.isTTY && Date.now() - lastDraw > 200) {
        lastDraw = Date.now();
        const pct = total ? ` ${Math.floor((size / total) * 100)}%` : '';
        progress.write(`\r\x1b[Kfetching ${name} ${(size / MiB).toFixed(1)} MiB${pct}`);
      }
    }
    await file.sync(); // the rename that follows must not publish a half-written file
  } finally {
    await file.close();
    if (progress?.isTTY) progress.write('\r\x1b[K');
  }
  return { sha256: h.digest('hex'), size };
}

/** One attempt: appends to `dest` from its current size; returns the final hash. */
async function attempt(opts: FetcherOptions, url: string, dest: string, name: string, headers: Record<string, string>): Promise<Fetched> {
  const started = Date.now();
  const have = await hashExisting(dest);
  const res = await fetch(url, {
    signal: opts.signal,
    headers: { ...opts.headers, ...headers, ...(have.size > 0 ? { range: `bytes=${have.size}-` } : {}) },
    redirect: 'follow',
  });
  if (res.status === 404 || res.status === 410) throw new NotFoundError(url);
  if (res.status === 416 && have.size > 0) {
    // Range past the end: the temp file is already complete (or garbage; the hash decides).
    await res.body?.cancel();
    return { sha256: have.hash.digest('hex'), size: have.size, ms: Date.now() - started };
  }
  if (!res.ok || !res.body) throw new HttpError(url, res.status);
  return { ...(await saveBody(res, dest, have, name, opts.progress)), ms: Date.now() - started };
}

/** Runs `once`, retrying network errors, 5xx and 429 with exponential backoff. */
async function withRetries<T>(opts: FetcherOptions, url: string, name: string, once: () => Promise<T>): Promise<T> {
  const retries = opts.retries ?? 3;
  for (let i = 0; ; i++) {
    try {
      return await once();
    } catch (error) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      const retryable = !(error instanceof NotFoundError) && (!(error instanceof HttpError) || error.status >= 500 || error.status === 429);
      if (!retryable || i >= retries) {
        if (error instanceof InfraError) throw error;
        throw new InfraError(`download failed: ${url}: ${(error as Error).message}`, { cause: error });
      }
      opts.log?.(`retrying ${name} after ${(error as Error).message}`);
      await sleep((opts.backoffMs ?? 500) * 2 ** i, opts.signal);
    }
  }
}

export function createFetcher(opts: FetcherOptions = {}) {
  const limit = pLimit(opts.concurrency ?? 2);
  let requests = 0;
  const retrying = <T>(url: string, name: string, once: () => Promise<T>) => limit(() => withRetries(opts, url, name, once));

  /** Downloads `url` into `dest` (a temp path; resumed if present) with retries. */
  function toFile(url: string, dest: string, name = url.split('/').pop() ?? url, headers: Record<string, string> = {}): Promise<Fetched> {
    return retrying(url, name, async () => {
      requests++;
      const got = await attempt(opts, url, dest, name, headers);
      opts.log?.(`fetched ${name} ${(got.size / MiB).toFixed(1)} MiB in ${(got.ms / 1000).toFixed(1)} s`);
      return got;
    });
  }

  /** Small files (InRelease, manifests, tokens): into memory, same retries. */
  function toBuffer(url: string, headers: Record<string, string> = {}): Promise<{ body: Buffer; headers: Headers; status: number }> {
    return retrying(url, url.split('/').pop() ?? url, async () => {
      requests++;
      const res = await fetch(url, {
        signal: opts.signal,
        headers: { ...opts.headers, ...headers },
        redirect: 'follow',
      });
      if (res.status === 404 || res.status === 410) throw new NotFoundError(url);
      if (res.status >= 500 || res.status === 429) throw new HttpError(url, res.status);
      return { body: Buffer.from(await res.arrayBuffer()), headers: res.headers, status: res.status };
    });
  }

  return { toFile, toBuffer, requests: () => requests };
}

export type Fetcher = ReturnType<typeof createFetcher>;

export class HttpError extends InfraError {
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`HTTP ${status} from ${url}`);
  }
}
