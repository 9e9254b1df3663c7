// repodata/repomd.xml: the index of a yum/dnf repository's metadata files. Only
// the `primary` entry is used (package names, versions, locations, checksums).
// Format: createrepo_c's output, as every RPM distribution publishes it.

import { InfraError } from '../../errors.js';
import { xmlAttr, xmlText } from './xml.js';

export interface RepoFile {
  /** Path relative to the repository root, e.g. repodata/<hash>-primary.xml.zst. */
  href: string;
  /** sha256 of the file as served (compressed). */
  sha256: string;
  size?: number;
}

/** The primary metadata's location and checksum; throws when repomd names none. */
export function parseRepomd(xml: string, url: string): RepoFile {
  for (const m of xml.matchAll(/<data\s+type="([^"]*)"\s*>([\s\S]*?)<\/data>/g)) {
    if (m[1] !== 'primary') continue;
    const body = m[2]!;
    const checksum = /<checksum\s+type="([^"]*)"\s*>([^<]*)<\/checksum>/.exec(body);
    const href = xmlAttr(/<location\s[^>]*>/.exec(body)?.[0] ?? '', 'href');
    if (!href || !checksum) break;
    if (checksum[1] !== 'sha256') {
      throw new InfraError(`${url}: primary metadata has a ${checksum[1]} checksum; portmatrix checks sha256 only`);
    }
    const size = xmlText(body, 'size');
    return { href, sha256: checksum[2]!.trim().toLowerCase(), ...(size ? { size: Number(size) } : {}) };
  }
  throw new InfraError(`${url} lists no primary metadata; is this the root of a yum repository (the directory holding repodata/)?`);
}
