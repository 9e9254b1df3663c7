// Streams a .deb from the mirror and extracts one member on the fly, without ever
// writing the package to disk: the bytes are hashed as they arrive and fed to
// `dpkg-deb --fsys-tarfile /dev/stdin | tar -x --occurrence=1 <member>`. tar stops
// once it has the member (early in a -dbg package), the hash runs to the end, and
// the member is only handed back when Size and SHA256 match the signed index.

import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { InfraError } from '../../errors.js';
import type { DebRef } from '../apt/deb822.js';
import { VerificationError } from '../apt/debian-index.js';
import { requireTool } from '../tools.js';

export interface StreamDeps {
  mirror: string;
  /** The command's environment: PATH for dpkg-deb and tar, and what they run with. */
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  log: (line: string) => void;
  progress?: { write(chunk: string): unknown; isTTY?: boolean };
  /** Told of every HTTP request made (the store's request count). */
  requested?: () => void;
}

const MiB = 1024 * 1024;

const exited = (child: ChildProcess) =>
  new Promise<number>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('close', (code) => resolve(code ?? 1))));

/** Progress: an updating line on a TTY, else a log line per quarter. */
function progressOf(deps: StreamDeps, name: string, total: number) {
  let lastDraw = 0;
  let quarter = 0;
  return (done: number, end = false) => {
    if (deps.progress?.isTTY) {
      if (end) return void deps.progress.write('\r\x1b[K');
      if (Date.now() - lastDraw < 200) return;
      lastDraw = Date.now();
      deps.progress.write(`\r\x1b[Kfetching ${name} ${(done / MiB).toFixed(1)} of ${(total / MiB).toFixed(0)} MiB`);
    } else if (!end && total > 0 && Math.floor((done / total) * 4) > quarter) {
      quarter = Math.floor((done / total) * 4);
      if (quarter < 4) deps.log(`fetching ${name}: ${quarter * 25}% of ${(total / MiB).toFixed(0)} MiB`);
    }
  };
}

/** The mirror's response for `ref`, its body not yet read. */
async function startDownload(deps: StreamDeps, ref: DebRef): Promise<{ url: string; res: Response & { body: ReadableStream } }> {
  const url = `${deps.mirror.replace(/\/+$/, '')}/${ref.filename}`;
  deps.requested?.();
  const res = await fetch(url, { signal: deps.signal, redirect: 'follow' }).catch((error: Error) => {
    throw new InfraError(`download failed: ${url}: ${error.message}`, { cause: error });
  });
  if (!res.ok || !res.body) throw new InfraError(`download failed: HTTP ${res.status} from ${url}`);
  return { url, res: res as Response & { body: ReadableStream } };
}

/**
 * Downloads `ref`, extracts the first member matching the tar wildcard `member` into
 * `dir`, verifies the whole package, and returns the member's path.
 */
export async function streamDebMember(deps: StreamDeps, ref: DebRef, member: string, dir: string): Promise<string> {
  const name = path.basename(ref.filename);
  const [dpkgDeb, tar] = [requireTool('dpkg-deb', deps.env), requireTool('tar', deps.env)];
  const started = Date.now();
  const { url, res } = await startDownload(deps, ref);
  const unpacker = spawnUnpack(deps, [dpkgDeb, tar], dir, member);
  const body = res.body as unknown as AsyncIterable<Uint8Array>;
  const { sha256, size } = await feedAndHash(body, unpacker, url, progressOf(deps, name, ref.size));
  const code = await unpacker.tarCode;
  if (sha256 !== ref.sha256 || size !== ref.size) {
    await rm(dir, { recursive: true, force: true });
    throw new VerificationError(`${name}: sha256 ${sha256} (${size} bytes) does not match the expected ${ref.sha256} (${ref.size} bytes); refusing to use it`);
  }
  deps.log(`fetched ${name} ${(size / MiB).toFixed(1)} MiB in ${((Date.now() - started) / 1000).toFixed(1)} s (streamed; kept only ${member})`);
  if (code !== 0) {
    const why = tarComplaint(unpacker.stderr()) || `tar exited ${code}`;
    throw new InfraError(`${name} holds no ${member}: ${why}`);
  }
  const found = await findFile(dir);
  if (!found) throw new InfraError(`${name} holds no ${member}`);
  return found;
}

/**
 * Hashes every byte of `body` and feeds it to the unpacker while tar still reads; once tar
 * has its member nobody reads on, and the rest is only hashed. The package's sha256 and size.
 */
async function feedAndHash(
  body: AsyncIterable<Uint8Array>,
  { unpack, tarCode, feeding }: Unpacker,
  url: string,
  show: ReturnType<typeof progressOf>,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of body) {
      hash.update(chunk);
      size += chunk.length;
      show(size);
      if (feeding() && !unpack.stdin!.write(chunk)) {
        await Promise.race([new Promise((resolve) => unpack.stdin!.once('drain', resolve)), tarCode]);
      }
    }
  } catch (error) {
    unpack.kill();
    throw new InfraError(`download failed: ${url}: ${(error as Error).message}`, { cause: error });
  } finally {
    show(size, true);
    unpack.stdin!.end();
  }
  return { sha256: hash.digest('hex'), size };
}

/** What tar said went wrong: dpkg-deb complains of the broken pipe once tar has stopped, which is no fault. */
function tarComplaint(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => l.trim() && !/Broken pipe|killed by signal/.test(l))
    .join('; ');
}

type Unpacker = ReturnType<typeof spawnUnpack>;

/**
 * dpkg-deb | tar extracting `member` into `dir`, fed on stdin. One shell pipeline: Node's
 * stdin is a socket, which dpkg-deb cannot open as /dev/stdin; cat turns it into a pipe.
 * The pipeline's status is tar's; `feeding()` turns false once tar has stopped reading.
 */
function spawnUnpack(deps: StreamDeps, [dpkgDeb, tar]: [string, string], dir: string, member: string) {
  const script = 'cat | "$1" --fsys-tarfile /dev/stdin | "$2" -x -C "$3" --wildcards --occurrence=1 "$4"';
  const unpack = spawn('sh', ['-c', script, 'sh', dpkgDeb, tar, dir, `./${member}`], {
    env: deps.env,
    signal: deps.signal,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let err = '';
  unpack.stderr!.on('data', (b) => (err += b));
  let feeding = true;
  unpack.stdin!.on('error', () => (feeding = false)); // tar is done: EPIPE is expected
  const tarCode = exited(unpack);
  void tarCode.then(() => (feeding = false));
  return { unpack, tarCode, feeding: () => feeding, stderr: () => err };
}

async function findFile(dir: string): Promise<string | undefined> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isFile()) return p;
    if (e.isDirectory()) {
      const inner = await findFile(p);
      if (inner) return inner;
    }
  }
  return undefined;
}
