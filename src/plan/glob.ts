// A small synchronous glob for loader.files (Node 20 has no fs.globSync):
// `*` and `?` within a path segment, `[abc]` classes, `**` for any depth.
// Returns regular files only, sorted, so cells are deterministic.

import fs from 'node:fs';
import path from 'node:path';

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
        source += `[${segment.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  // Like shells, `*` does not match hidden files unless the pattern starts with a dot.
  return new RegExp(`^${segment.startsWith('.') ? '' : '(?!\\.)'}${source}$`);
}

function entries(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function walk(dir: string, segments: string[], out: Set<string>): void {
  const [head, ...rest] = segments;
  if (head === undefined) {
    if (isFile(dir)) out.add(dir);
    return;
  }
  if (head === '**') {
    walk(dir, rest, out); // zero directories
    for (const e of entries(dir)) if (!e.name.startsWith('.') && isDir(path.join(dir, e.name))) walk(path.join(dir, e.name), segments, out);
    return;
  }
  if (!hasGlob(head)) return walk(path.join(dir, head), rest, out);
  const re = segmentRegExp(head);
  for (const e of entries(dir)) if (re.test(e.name)) walk(path.join(dir, e.name), rest, out);
}

/** Files matching an absolute pattern; a pattern without glob characters is returned as is. */
export function globSync(pattern: string): string[] {
  if (!hasGlob(pattern)) return [pattern];
  const root = path.parse(pattern).root;
  const out = new Set<string>();
  walk(root, pattern.slice(root.length).split(/[\\/]+/).filter(Boolean), out);
  return [...out].sort();
}
