// The BPF objects of a cell's tests, which the check reads when the matrix lists
// no `btf.objects`: the images embedded in each test's program (a Go loader built
// with bpf2go, a libbpf skeleton) and its `files:` that are BPF objects. An
// embedded object is named `<program>#<n>`, the n-th image in it. The same image
// found twice (a loader and its Go test binary embed the same objects) counts once.

import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import type { Cell } from '../core/cell.js';
import { NotBpfObjectError } from './bpf-elf.js';
import { bpfImageSize, bpfImages, isBpfHeader } from './embedded-objects.js';
import { type ProgramFacts, programFacts } from './program-facts.js';

/** A program larger than this is not scanned: a loader's code and objects fit well within it. */
export const MAX_SCAN_BYTES = 1024 ** 3;

/** Not there (yet): `check` and `plan` may run before the build. */
const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);

async function orAbsent<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (ABSENT.has((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}

type Image = { name: string; bytes: Buffer };

/** The BPF images inside a test's program, in one read. */
async function embedded(file: string): Promise<Image[]> {
  const buf = await orAbsent(async () => ((await stat(file)).size > MAX_SCAN_BYTES ? undefined : readFile(file)));
  if (!buf) return [];
  return bpfImages(buf).map((image, i) => ({
    name: image.bytes.length === buf.length ? file : `${file}#${i + 1}`,
    bytes: image.bytes,
  }));
}

/** A `files:` entry that is a BPF object itself; its header is read first, so other files are not read whole. */
async function shipped(file: string): Promise<Image[]> {
  const head = await orAbsent(async () => {
    const fd = await open(file);
    try {
      return (await fd.read(Buffer.alloc(64), 0, 64, 0)).buffer;
    } finally {
      await fd.close();
    }
  });
  if (!head || !isBpfHeader(head)) return [];
  const buf = await readFile(file);
  return bpfImageSize(buf, 0) === undefined ? [] : [{ name: file, bytes: buf }];
}

/** Each image's facts, once per content; one no loader could use (stripped, malformed) adds nothing. */
function factsOf(images: Image[], seen: Set<string>): ProgramFacts[] {
  return images.flatMap(({ name, bytes }) => {
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (seen.has(digest)) return [];
    seen.add(digest);
    try {
      return [programFacts(bytes, name)];
    } catch (error) {
      if (error instanceof NotBpfObjectError || error instanceof RangeError) return [];
      throw error;
    }
  });
}

/** The facts of the BPF objects in `cell`'s tests (paths for its arch, files expanded), in test order. */
export async function testObjects(cell: Pick<Cell, 'tests'>): Promise<ProgramFacts[]> {
  const seen = new Set<string>();
  const out: ProgramFacts[] = [];
  for (const test of cell.tests) {
    out.push(...factsOf(await embedded(test.path), seen));
    for (const f of test.files) out.push(...factsOf(await shipped(f.src), seen));
  }
  return out;
}
