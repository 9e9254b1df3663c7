// A small glob for `files` and `btf.objects` (Node 20 has no fs.glob): `*` and
// `?` within a path segment, `[abc]` classes, `**` for any depth. Returns regular
// files only, sorted, so cells are deterministic. A walk is bounded: each
// directory is entered once by its real path (symlink loops end), matches and
// their bytes and the entries read have limits, every file and directory passes
// the caller's `check` (confinement), and it yields to the event loop, so an
// abort (Ctrl-C) stops it.

import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface GlobLimits {
  files: number;
  bytes: number;
  /** Directory entries read. */
  entries: number;
}

/** docs/matrix.md, "Limits". */
export const GLOB_LIMITS: GlobLimits = { files: 10_000, bytes: 256 * 1024 * 1024, entries: 200_000 };

export interface GlobOptions {
  signal?: AbortSignal;
  limits?: GlobLimits;
  /** Called with the real path of every directory entered and file matched; throws to refuse it. */
  check?: (real: string, reached: string) => void;
}

/** A bound was passed; `problem` completes "the glob …". */
export class GlobLimitError extends Error {}

export function hasGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

function segmentRegExp(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${segment
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  // Like shells, `*` does not match hidden files unless the pattern starts with a dot.
  return new RegExp(`^${segment.startsWith('.') ? '' : '(?!\\.)'}${source}$`);
}

const quietly = <T>(p: Promise<T>) => p.catch(() => undefined);

class Walk {
  readonly files = new Set<string>();
  private bytes = 0;
  private entries = 0;
  /** Real directory + the segments still to match: a state walked once. */
  private readonly seen = new Set<string>();

  constructor(
    private readonly limits: GlobLimits,
    private readonly o: GlobOptions,
  ) {}

  private async tick(count: number): Promise<void> {
    this.entries += count;
    if (this.entries > this.limits.entries) throw new GlobLimitError(`reads more than ${this.limits.entries} directory entries`);
    await new Promise((resolve) => setImmediate(resolve));
    this.o.signal?.throwIfAborted();
  }

  private async file(p: string): Promise<void> {
    const st = await quietly(fs.stat(p));
    if (!st?.isFile() || this.files.has(p)) return;
    this.o.check?.(await fs.realpath(p), p);
    this.files.add(p);
    this.bytes += st.size;
    if (this.files.size > this.limits.files) throw new GlobLimitError(`matches more than ${this.limits.files} files`);
    if (this.bytes > this.limits.bytes) throw new GlobLimitError(`matches more than ${this.limits.bytes} bytes`);
  }

  private async children(dir: string): Promise<Dirent[]> {
    const real = await quietly(fs.realpath(dir));
    if (!real) return [];
    this.o.check?.(real, dir);
    const list = (await quietly(fs.readdir(dir, { withFileTypes: true }))) ?? [];
    await this.tick(list.length + 1);
    return list;
  }

  async walk(dir: string, segments: string[]): Promise<void> {
    const [head, ...rest] = segments;
    if (head === undefined) return this.file(dir);
    if (!hasGlob(head)) return this.walk(path.join(dir, head), rest);
    const real = await quietly(fs.realpath(dir));
    const state = `${real}\0${segments.join('/')}`;
    if (!real || this.seen.has(state)) return;
    this.seen.add(state);
    if (head === '**') {
      await this.walk(dir, rest); // zero directories
      for (const e of await this.children(dir)) {
        const child = path.join(dir, e.name);
        if (e.name.startsWith('.')) continue;
        // A trailing `**` matches the files at every depth, as in a shell's globstar.
        if ((await quietly(fs.stat(child)))?.isDirectory()) await this.walk(child, segments);
        else if (rest.length === 0) await this.file(child);
      }
      return;
    }
    const re = segmentRegExp(head);
    for (const e of await this.children(dir)) if (re.test(e.name)) await this.walk(path.join(dir, e.name), rest);
  }
}

/** Files matching an absolute pattern; a pattern without glob characters is returned as is. */
export async function glob(pattern: string, o: GlobOptions = {}): Promise<string[]> {
  if (!hasGlob(pattern)) return [pattern];
  const root = path.parse(pattern).root;
  const walk = new Walk(o.limits ?? GLOB_LIMITS, o);
  await walk.walk(
    root,
    pattern
      .slice(root.length)
      .split(/[\\/]+/)
      .filter(Boolean),
  );
  return [...walk.files].sort();
}
