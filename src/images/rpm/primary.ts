// repodata/*-primary.xml: one <package> element per RPM. Fedora's Everything
// repository lists about 70,000 of them (hundreds of MB of XML), so the scanner
// takes the text in chunks and parses only the packages whose name is wanted.

import { InfraError } from '../../errors.js';
import type { Evr } from './rpm-version.js';
import { xmlAttr, xmlTag, xmlText } from './xml.js';

/** One RPM as primary.xml lists it. */
export interface RpmEntry extends Evr {
  name: string;
  arch: string;
  /** Path relative to the repository root (or a URL, when primary sets xml:base). */
  location: string;
  sha256: string;
  size: number;
}

/** Past this, a single <package> element is not metadata but garbage. */
const MAX_PACKAGE_CHARS = 16 * 1024 * 1024;

/** One <package> element's fields; undefined when it is not a sha256-checked RPM. */
export function parsePackage(xml: string): RpmEntry | undefined {
  const name = xmlText(xml, 'name');
  const arch = xmlText(xml, 'arch');
  const version = xmlTag(xml, 'version');
  const checksum = /<checksum\s+type="sha256"[^>]*>([0-9a-fA-F]{64})<\/checksum>/.exec(xml);
  const location = xmlTag(xml, 'location');
  const href = location && xmlAttr(location, 'href');
  const size = Number(xmlAttr(xmlTag(xml, 'size') ?? '', 'package'));
  if (!name || !arch || !version || !checksum || !href || !Number.isFinite(size)) return undefined;
  const base = location && xmlAttr(location, 'xml:base');
  return {
    name,
    arch,
    epoch: xmlAttr(version, 'epoch') ?? '0',
    version: xmlAttr(version, 'ver') ?? '',
    release: xmlAttr(version, 'rel') ?? '',
    location: base ? `${base.replace(/\/+$/, '')}/${href}` : href,
    sha256: checksum[1]!.toLowerCase(),
    size,
  };
}

/**
 * A streaming scan: `push` text as it is decompressed, `end` returns the wanted
 * packages. A package's name is looked at before anything else is parsed.
 */
export function primaryScanner(wanted: (name: string) => boolean) {
  let pending = '';
  const found: RpmEntry[] = [];
  const take = (block: string) => {
    const name = /<name>([^<]*)<\/name>/.exec(block)?.[1];
    if (name === undefined || !wanted(name)) return;
    const entry = parsePackage(block);
    if (entry) found.push(entry);
  };
  return {
    push(text: string): void {
      pending += text;
      let start = pending.indexOf('<package ');
      while (start >= 0) {
        const end = pending.indexOf('</package>', start);
        if (end < 0) break;
        take(pending.slice(start, end));
        start = pending.indexOf('<package ', end);
      }
      pending = start >= 0 ? pending.slice(start) : pending.slice(-16);
      if (pending.length > MAX_PACKAGE_CHARS) throw new InfraError(`primary metadata: a <package> element runs past ${MAX_PACKAGE_CHARS} characters`);
    },
    end(): RpmEntry[] {
      return found;
    },
  };
}
