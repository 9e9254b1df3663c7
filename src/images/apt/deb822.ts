// Parsers for Debian archive indexes: the (already verified) Release text and
// Packages stanzas. Pure functions over strings; see deb822(5) and
// https://wiki.debian.org/DebianRepository/Format.

export type Stanza = Record<string, string>;

/** One stanza ("Key: value" lines, continuation lines start with a space). */
export function parseStanza(text: string): Stanza {
  const out: Stanza = {};
  let key: string | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if ((line.startsWith(' ') || line.startsWith('\t')) && key) {
      out[key] += `\n${line.slice(1)}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    key = line.slice(0, colon);
    out[key] = line.slice(colon + 1).trim();
  }
  return out;
}

export interface IndexFile {
  sha256: string;
  size: number;
}

/** The SHA256 section of a Release file: path (e.g. main/binary-amd64/Packages.xz) → hash and size. */
export function parseReleaseSha256(release: string): Map<string, IndexFile> {
  const files = new Map<string, IndexFile>();
  const stanza = parseStanza(release.split(/\n\n/)[0] ?? '');
  const section = stanza.SHA256;
  if (section === undefined) throw new Error('Release file has no SHA256 section');
  for (const line of section.split('\n')) {
    const m = /^\s*([0-9a-f]{64})\s+(\d+)\s+(\S+)\s*$/.exec(line);
    if (m) files.set(m[3]!, { sha256: m[1]!, size: Number(m[2]) });
  }
  return files;
}

/** The stanzas of a Packages file whose Package name passes `keep` (cheap prefix test first). */
export function parsePackages(text: string, keep: (name: string) => boolean): Stanza[] {
  const out: Stanza[] = [];
  for (const chunk of text.split(/\n\n+/)) {
    // Avoid building a record for each of the ~60 000 stanzas: test the name first.
    const m = /^Package: (\S+)/.exec(chunk);
    if (!m || !keep(m[1]!)) continue;
    out.push(parseStanza(chunk));
  }
  return out;
}

/** A .deb as listed in Packages: what to download and how to verify it. */
export interface DebRef {
  package: string;
  version: string;
  /** Pool path relative to the mirror root. */
  filename: string;
  sha256: string;
  size: number;
}

export function debRef(stanza: Stanza): DebRef {
  const { Package, Version, Filename, SHA256, Size } = stanza;
  if (!Package || !Version || !Filename || !SHA256 || !Size) {
    throw new Error(`Packages stanza for ${Package ?? '?'} lacks Version/Filename/SHA256/Size`);
  }
  return { package: Package, version: Version, filename: Filename, sha256: SHA256, size: Number(Size) };
}
