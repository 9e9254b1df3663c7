import { describe, expect, it } from 'vitest';
import { parseChecksig } from '../../src/images/rpm/rpm-signature.js';

// What rpm 4.18's `rpmkeys --checksig -v` printed for the stand-in packages.
const SIGNED = `kernel-core.rpm:
    Header V4 RSA/SHA512 Signature, key ID 6cce894a: OK
    Header SHA256 digest: OK
    Header SHA1 digest: OK
    Payload SHA256 digest: OK
    MD5 digest: OK`;
const NOKEY = SIGNED.replace(': OK\n    Header SHA256', ': NOKEY\n    Header SHA256');
const UNSIGNED = SIGNED.split('\n')
  .filter((l) => !l.includes('Signature'))
  .join('\n');
const TAMPERED = `kernel-core.rpm:
    Header V4 RSA/SHA512 Signature, key ID 6cce894a: OK
    Header SHA256 digest: OK
    Payload SHA256 ALT digest: BAD (Expected eff5 != 2359)
    Payload SHA256 digest: BAD (Expected 8d39 != 2359)
    MD5 digest: BAD (Expected bb83 != b24e)`;

describe('rpmkeys --checksig -v', () => {
  it.each([
    ['signed by a known key', SIGNED, { ok: ['6cce894a'], nokey: [], signed: true, bad: 0 }],
    ['signed by an unknown key', NOKEY, { ok: [], nokey: ['6cce894a'], signed: true, bad: 0 }],
    ['unsigned', UNSIGNED, { ok: [], nokey: [], signed: false, bad: 0 }],
    ['a payload that does not match its digests', TAMPERED, { ok: ['6cce894a'], nokey: [], signed: true, bad: 3 }],
  ])('%s', (_, text, want) => {
    const got = parseChecksig(text);
    expect({ ok: got.ok, nokey: got.nokey, signed: got.signed, bad: got.bad.length }).toEqual(want);
  });
});
