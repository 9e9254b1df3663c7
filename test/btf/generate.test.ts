// BTF generated from a -dbg package on the host: the package streamed from a mirror,
// only its vmlinux extracted, pahole run over its DWARF, the BTF cached and locked.
// STAND-INS: the mirror is a local server on 127.0.0.1, and the -dbg package is built here
// by dpkg-deb around a small program compiled with -g under vmlinux's name (Debian's real
// one is over 400 MiB; btf.vm.test.ts boots a kernel on BTF generated from it).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBtf } from '../../src/facts/btf.js';
import { BtfIndex } from '../../src/facts/btf-query.js';
import { debRef, type Stanza } from '../../src/images/apt/deb822.js';
import { VerificationError } from '../../src/images/apt/debian-index.js';
import { type GenerateDeps, generateBtf, type KernelToDescribe } from '../../src/images/btf/generate.js';
import { streamDebMember } from '../../src/images/btf/stream.js';
import { Cache, sha256Buffer } from '../../src/images/cache.js';
import { type MirrorServer, serveMirror } from '../images/mirror-server.js';

const release = '6.1.0-99-amd64';
const work = mkdtempSync(path.join(os.tmpdir(), 'pm-btf-gen-'));
const kernel: KernelToDescribe = {
  source: 'debian:bookworm',
  suite: 'bookworm',
  arch: 'amd64',
  release,
  sha256: 'ab'.repeat(32),
};
const VERSION = '6.1.999-1';
const NAME = `linux-image-${release}-dbg_${VERSION}_amd64.deb`;
const CONTROL = `Package: linux-image-${release}-dbg
Version: ${VERSION}
Architecture: amd64
Maintainer: portmatrix tests
Description: stand-in for a kernel -dbg package
`;
const SOURCE = `struct task_struct { int pid; long __state; };
struct task_struct t;
int main(void) { return t.pid; }
`;

/** A -dbg package holding `usr/lib/debug/boot/vmlinux-<release>`, built from C with DWARF. */
function dbgPackage(): { filename: string; bytes: Buffer } {
  const root = path.join(work, 'pkg');
  const boot = path.join(root, 'usr/lib/debug/boot');
  mkdirSync(boot, { recursive: true });
  mkdirSync(path.join(root, 'DEBIAN'));
  writeFileSync(path.join(root, 'DEBIAN/control'), CONTROL);
  writeFileSync(path.join(work, 'v.c'), SOURCE);
  execFileSync('cc', ['-g', '-O0', '-o', path.join(boot, `vmlinux-${release}`), path.join(work, 'v.c')]);
  const filename = `pool/main/l/linux/${NAME}`;
  const file = path.join(work, 'mirror', filename);
  mkdirSync(path.dirname(file), { recursive: true });
  execFileSync('dpkg-deb', ['--root-owner-group', '-b', root, file], { stdio: 'ignore' });
  return { filename, bytes: readFileSync(file) };
}

let server: MirrorServer;
let deb: { filename: string; bytes: Buffer };
const logs: string[] = [];

/** The package as the signed index would list it; `sha256` other than the package's own to tamper. */
function stanza(sha256 = sha256Buffer(deb.bytes)): Stanza {
  return {
    Package: `linux-image-${release}-dbg`,
    Version: VERSION,
    Architecture: 'amd64',
    Filename: deb.filename,
    Size: String(deb.bytes.length),
    SHA256: sha256,
  };
}

function deps(cacheDir: string, listed = stanza()): GenerateDeps {
  const cache = new Cache(path.join(work, cacheDir));
  return { mirror: server.url, env: process.env, log: (l) => logs.push(l), cache, index: async () => [listed] };
}

beforeAll(async () => {
  deb = dbgPackage();
  server = await serveMirror(path.join(work, 'mirror'), '');
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

describe('generateBtf', () => {
  it('streams vmlinux out of the -dbg package, runs pahole, and answers again from the cache alone', async () => {
    const d = deps('cache');
    const got = await generateBtf(d, kernel);
    expect(got.lock).toMatchObject({ kernelSha256: kernel.sha256, debs: [{ filename: deb.filename }] });
    const btf = new BtfIndex(parseBtf(readFileSync(got.path)));
    expect(btf.member(btf.named('task_struct')[0]!, '__state')).toBeDefined();
    expect(logs.some((l) => l.startsWith(`generated BTF for ${release} with pahole`))).toBe(true);

    server.requests.length = 0;
    expect(await generateBtf(d, kernel)).toEqual(got);
    expect(await generateBtf(deps('cache'), kernel, got.lock)).toEqual(got);
    expect(server.requests).toEqual([]);
  });

  it('refuses a package whose sha256 is not the index', async () => {
    const error = await generateBtf(deps('cache-bad', stanza('cd'.repeat(32))), kernel).catch((e: Error) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as Error).message).toContain(`${NAME}: sha256 ${sha256Buffer(deb.bytes)}`);
    expect((error as Error).message).toContain(`does not match the expected ${'cd'.repeat(32)}`);
  });
});

describe('streamDebMember', () => {
  it('names the package and the member it does not hold, having extracted nothing', async () => {
    const dir = path.join(work, 'out');
    mkdirSync(dir);
    const member = 'usr/lib/debug/boot/vmlinux-none';
    const streamed = streamDebMember(deps('cache-stream'), debRef(stanza()), member, dir);
    await expect(streamed).rejects.toThrow(`${NAME} holds no ${member}`);
    expect(existsSync(path.join(dir, 'usr'))).toBe(false);
  });
});
