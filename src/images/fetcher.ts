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

export function createFetcher(opts: FetcherOptions = {}) {
  const limit = pLimit(opts.concurrency ?? 2);
  const retries = opts.retries ?? 3;
  const backoff = opts.backoffMs ?? 500;
  let requests = 0;

  /** One attempt: appends to `dest` from its current size; returns the final hash. */
  async function attempt(url: string, dest: string, name: string, headers: Record<string, string>): Promise<Fetched> {
    const started = Date.now();
    const { hash, size: have } = await hashExisting(dest);
    requests++;
    const res = await fetch(url, {
      signal: opts.signal,
      headers: { ...opts.headers, ...headers, ...(have > 0 ? { range: `bytes=${have}-` } : {}) },
      redirect: 'follow',
    });
    if (res.status === 404 || res.status === 410) throw new NotFoundError(url);
    if (res.status === 416 && have > 0) {
      // Range past the end: the temp file is already complete (or garbage; the hash decides).
      await res.body?.cancel();
      return { sha256: hash.digest('hex'), size: have, ms: Date.now() - started };
    }
    if (!res.ok || !res.body) throw new HttpError(url, res.status);
    const append = res.status === 206 && have > 0;
    const file = await open(dest, append ? 'a' : 'w');
    const h = append ? hash : createHash('sha256');
    let size = append ? have : 0;
    const total = Number(res.headers.get('content-length') ?? 0) + (append ? have : 0);
    let lastDraw = 0;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        h.update(chunk);
        size += chunk.length;
        await file.write(chunk);
        if (opts.progress?.isTTY && Date.now() - lastDraw > 200) {
          lastDraw = Date.now();
          const pct = total ? ` ${Math.floor((size / total) * 100)}%` : '';
          opts.progress.write(`\r\x1b[Kfetching ${name} ${(size / MiB).toFixed(1)} MiB${pct}`);
        }
      }
      await file.sync(); // the rename that follows must not publish a half-written file
    } finally {
      await file.close();
      if (opts.progress?.isTTY) opts.progress.write('\r\x1b[K');
    }
    return { sha256: h.digest('hex'), size, ms: Date.now() - started };
  }

  /** Downloads `url` into `dest` (a temp path; resumed if present) with retries. */
  async function toFile(url: string, dest: string, name = url.split('/').pop() ?? url, headers: Record<string, string> = {}): Promise<Fetched> {
    return withRetries(url, name, async () => {
      const got = await attempt(url, dest, name, headers);
      opts.log?.(`fetched ${name} ${(got.size / MiB).toFixed(1)} MiB in ${(got.ms / 1000).toFixed(1)} s`);
      return got;
    });
  }

  /** Runs `once` within the limiter, retrying network errors, 5xx and 429 with backoff. */
  function withRetries<T>(url: string, name: string, once: () => Promise<T>): Promise<T> {
    return limit(async () => {
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
          await sleep(backoff * 2 ** i, opts.signal);
        }
      }
    });
  }

  /** Small files (InRelease, manifests, tokens): into memory, same retries. */
  async function toBuffer(url: string, headers: Record<string, string> = {}): Promise<{ body: Buffer; headers: Headers; status: number }> {
    return withRetries(url, url.split('/').pop() ?? url, async () => {
      requests++;
      const res = await fetch(url, { signal: opts.signal, headers: { ...opts.headers, ...headers }, redirect: 'follow' });
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
