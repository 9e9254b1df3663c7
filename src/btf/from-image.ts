// The BTF a kernel carries, read on the host from its image: the kernel's .BTF
// section survives into vmlinuz as raw bytes inside the compressed payload, so
// the payload is found by its compressor's magic, decompressed with the host tool
// (as the kernel's own scripts/extract-vmlinux does) and scanned for a BTF header
// whose sections fit. Needed for minimal BTF of kernels that have their own.

import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { InfraError } from '../errors.js';
import { which } from '../host/which.js';

const COMPRESSORS: { magic: number[]; tool: string; args: string[] }[] = [
  { magic: [0x1f, 0x8b, 0x08], tool: 'gzip', args: ['-dc'] },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], tool: 'xz', args: ['-dc'] },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], tool: 'zstd', args: ['-dcq'] },
  { magic: [0x02, 0x21, 0x4c, 0x18], tool: 'lz4', args: ['-dc'] },
  { magic: [0x5d, 0x00, 0x00, 0x00], tool: 'xz', args: ['--format=lzma', '-dc'] },
];

const HEADER_LEN = 24;

/** The largest well-formed raw BTF blob in `buf` (either byte order), or undefined. */
export function findBtf(buf: Buffer): Buffer | undefined {
  let best: Buffer | undefined;
  for (const big of [false, true]) {
    const magic = big ? Buffer.from([0xeb, 0x9f, 0x01, 0x00]) : Buffer.from([0x9f, 0xeb, 0x01, 0x00]);
    const u32 = (at: number) => (big ? buf.readUInt32BE(at) : buf.readUInt32LE(at));
    for (let at = buf.indexOf(magic); at >= 0 && at + HEADER_LEN <= buf.length; at = buf.indexOf(magic, at + 1)) {
      if (u32(at + 4) !== HEADER_LEN) continue;
      const [typeOff, typeLen, strOff, strLen] = [u32(at + 8), u32(at + 12), u32(at + 16), u32(at + 20)];
      const end = at + HEADER_LEN + strOff + strLen;
      if (typeOff !== 0 || strOff < typeLen || strLen === 0 || end > buf.length) continue;
      // The string section starts and ends with NUL; its first string is the empty name.
      if (buf[at + HEADER_LEN + strOff] !== 0 || buf[end - 1] !== 0) continue;
      if (!best || end - at > best.length) best = buf.subarray(at, end);
    }
  }
  return best;
}

function decompress(tool: string, args: string[], input: Buffer, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<Buffer> {
  return new Promise((resolve) => {
    const child = spawn(tool, args, { env, signal, stdio: ['pipe', 'pipe', 'ignore'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stdin.on('error', () => {}); // trailing data after the stream: the tool stops early
    child.on('error', () => resolve(Buffer.alloc(0)));
    // Payloads are followed by other data, so a non-zero exit still leaves the output usable.
    child.on('close', () => resolve(Buffer.concat(out)));
    child.stdin.end(input);
  });
}

/** The raw BTF of the kernel image at `file`; InfraError when none is found. */
export async function btfFromImage(file: string, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<Buffer> {
  const image = await readFile(file);
  const direct = findBtf(image);
  if (direct) return direct;
  for (const c of COMPRESSORS) {
    const tool = which(c.tool, env);
    if (!tool) continue;
    const magic = Buffer.from(c.magic);
    // Early matches may be constants in the decompressor's code; the payload follows it.
    for (let at = image.indexOf(magic), n = 0; at >= 0 && n < 16; at = image.indexOf(magic, at + 1), n++) {
      const found = findBtf(await decompress(tool, c.args, image.subarray(at), env, signal));
      if (found) return Buffer.from(found);
    }
  }
  throw new InfraError(`found no BTF in the kernel image ${file} (looked in it and in its gzip/xz/zstd/lz4/lzma payload)`);
}
