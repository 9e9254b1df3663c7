// Choosing the -dbg package of exactly the kernel that runs, from Packages stanzas.

import { describe, expect, it } from 'vitest';
import { chooseDbg } from '../../src/images/btf/generate.js';

const kernel = {
  source: 'debian:bookworm',
  suite: 'bookworm',
  arch: 's390x' as const,
  release: '6.1.0-50-s390x',
  version: '6.1.176-1',
  sha256: 'ab'.repeat(32),
};
const stanza = (version: string) => ({
  Package: 'linux-image-6.1.0-50-s390x-dbg',
  Version: version,
  Architecture: 's390x',
  Filename: `pool/main/l/linux/linux-image-6.1.0-50-s390x-dbg_${version}_s390x.deb`,
  Size: '433270020',
  SHA256: 'cd'.repeat(32),
});

describe('chooseDbg', () => {
  it('takes the package of the same release and version', () => {
    expect(chooseDbg([stanza('6.1.170-1'), stanza('6.1.176-1')], kernel)).toMatchObject({
      package: 'linux-image-6.1.0-50-s390x-dbg',
      version: '6.1.176-1',
      size: 433270020,
      sha256: 'cd'.repeat(32),
    });
  });

  it('names the package, version and suite when the index has no such build', () => {
    expect(() => chooseDbg([stanza('6.1.170-1')], kernel)).toThrow(
      'no linux-image-6.1.0-50-s390x-dbg 6.1.176-1 in Debian bookworm for s390x (the index has 6.1.170-1): cannot generate BTF for this kernel; use btf: kernel, none or file:<path>',
    );
    expect(() => chooseDbg([], kernel)).toThrow(/^no linux-image-6\.1\.0-50-s390x-dbg 6\.1\.176-1 in Debian bookworm for s390x: /);
  });
});
