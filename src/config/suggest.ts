// "Did you mean …?" for misspelt values and keys: common aliases first, then the
// closest valid value by edit distance (only when it is plausibly a typo).

/** Names users reach for that mean one of our values (uname -m, Go, Docker spellings). */
const ALIASES: Record<string, string> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  x64: 'amd64',
  x86: 'amd64',
  amd: 'amd64',
  aarch64: 'arm64',
  arm: 'arm64',
  armv8: 'arm64',
  s390: 's390x',
  bionic: 'static',
  glibc: 'debian:bookworm',
  musl: 'static',
  stable: 'debian:trixie',
  oldstable: 'debian:bookworm',
  unstable: 'debian:sid',
};

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The valid value the user most likely meant, or undefined. */
export function nearest(input: string, valid: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  const alias = ALIASES[lower];
  if (alias && valid.includes(alias)) return alias;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  // More than a third of the word changed is a different word, not a typo.
  return bestDistance <= Math.max(1, Math.floor(lower.length / 3)) ? best : undefined;
}

/** `one of a, b, c` plus ` (did you mean b?)` when there is a likely candidate. */
export function oneOf(input: unknown, valid: readonly string[]): string {
  const guess = typeof input === 'string' ? nearest(input, valid) : undefined;
  return `use one of ${valid.join(', ')}${guess ? ` (did you mean ${guess}?)` : ''}`;
}

/** Short rendering of a YAML value for messages: strings quoted, lists and maps named. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
