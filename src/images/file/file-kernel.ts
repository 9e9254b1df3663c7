// file:<path> kernels: a local bzImage, arm64 Image, s390x image or vmlinux ELF.
// The arch is checked from the header where the format has a reliable mark; a
// config beside it (`<path>.config` or `config` in the same dir) gives the facts.

import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Arch } from '../../core/arch.js';
import { UsageError } from '../../errors.js';
import type { Cache } from '../cache.js';
import { detectKernel } from '../kernel-header.js';
import type { LockedKernel } from '../lockfile.js';

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function firstExisting(files: string[]): Promise<string | undefined> {
  for (const f of files) {
    try {
      if ((await stat(f)).isFile()) return f;
    } catch {
      // try the next
    }
  }
  return undefined;
}

/** Copies the kernel (and config) into the cache so later edits of the file cannot change a run mid-way. */
export async function fileKernel(cache: Cache, source: string, file: string, arch: Arch, log: (line: string) => void): Promise<LockedKernel> {
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a regular file');
  } catch (error) {
    throw new UsageError(`kernel source ${source}: cannot read ${file} (${(error as Error).message})`);
  }
  const info = detectKernel(await readHead(file, 64 * 1024));
  if (info.arch && info.arch !== arch) {
    throw new UsageError(`kernel source ${source}: ${file} is a ${info.arch} kernel (${info.format}), but the cell's arch is ${arch}`);
  }
  if (!info.arch) {
    // s390x images (and compressed blobs) carry no reliable magic number.
    log(`${source}: cannot check the architecture of ${path.basename(file)} (${info.format}); trusting it is ${arch}`);
  }
  const kernelSha256 = await cache.putBytes(await readFile(file));
  const configFile = await firstExisting([`${file}.config`, path.join(path.dirname(file), 'config')]);
  const configSha256 = configFile ? await cache.putBytes(await readFile(configFile)) : undefined;
  return { source, arch, release: info.release ?? path.basename(file), kernelSha256, configSha256 };
}
