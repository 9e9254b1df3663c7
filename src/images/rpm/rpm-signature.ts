// An RPM's own OpenPGP signature, checked by rpm itself (`rpmkeys --checksig`)
// against the distribution's key and nothing else: a private rpm database per
// check, holding only the keys given. The repository metadata is not signed on
// most RPM distributions, so this signature is what an RPM kernel is trusted by.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InfraError } from '../../errors.js';
import { VerificationError } from '../apt/debian-index.js';
import { requireTool, runTool, type ToolEnv } from '../tools.js';

export interface SignatureCheck {
  /** `Header V4 RSA/SHA256 Signature, key ID b86b3716: OK` → b86b3716. */
  keyIds: string[];
}

/** What `rpmkeys --checksig -v` said about one package: signatures and digests. */
export function parseChecksig(text: string): { ok: string[]; nokey: string[]; bad: string[]; signed: boolean } {
  const ok: string[] = [];
  const nokey: string[] = [];
  const bad: string[] = [];
  let signed = false;
  for (const line of text.split('\n')) {
    const sig = /Signature, key ID ([0-9a-f]+): (\S+)/.exec(line);
    if (sig) {
      signed = true;
      (sig[2] === 'OK' ? ok : sig[2] === 'NOKEY' ? nokey : bad).push(sig[1]!);
    } else if (/(digest|signature):\s*BAD/i.test(line)) bad.push(line.trim());
  }
  return { ok, nokey, bad, signed };
}

/** Throws VerificationError unless `rpm` is signed by one of `keyFiles` and every digest holds. */
export async function checkRpmSignature(rpm: string, name: string, keyFiles: readonly string[], tools: ToolEnv): Promise<SignatureCheck> {
  const rpmkeys = requireTool('rpmkeys', tools.env);
  const db = await mkdtemp(path.join(os.tmpdir(), 'portmatrix-rpmdb-'));
  try {
    for (const key of keyFiles) {
      const res = await runTool(rpmkeys, ['--dbpath', db, '--import', key], tools);
      if (res.code !== 0) throw new InfraError(`rpmkeys could not import ${key}: ${res.stderr.trim()}`);
    }
    const res = await runTool(rpmkeys, ['--dbpath', db, '--checksig', '-v', rpm], tools);
    const said = parseChecksig(`${res.stdout.toString('utf8')}\n${res.stderr}`);
    const keys = keyFiles.join(', ');
    if (said.bad.length > 0)
      throw new VerificationError(`${name}: rpm's check failed (${said.bad.join('; ')}): the file is damaged or tampered with; refusing it`);
    if (!said.signed) throw new VerificationError(`${name} is not signed; refusing it (the key it should be signed with: ${keys})`);
    if (said.nokey.length > 0 || said.ok.length === 0 || res.code !== 0) {
      throw new VerificationError(
        `${name} is signed by key ID ${[...said.nokey].join(', ') || '?'}, which is not in the keyring (${keys}); refusing it. If you trust that key, give it with the source's keyring option`,
      );
    }
    return { keyIds: said.ok };
  } finally {
    await rm(db, { recursive: true, force: true });
  }
}
