// The BPF objects the check finds in a cell's tests when the matrix lists no
// `btf.objects`: the example's real loaders (built by scripts/build-example) carry
// both variants' bpf2go objects, and the C loader its libbpf object, byte for byte,
// in either byte order; other ELF files, truncated images and random bytes yield none.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/core/cell.js';
import { reloPath } from '../../src/facts/core-relos.js';
import { bpfImages } from '../../src/facts/embedded-objects.js';
import { type ProgramFacts, readProgramFacts } from '../../src/facts/program-facts.js';
import { testObjects } from '../../src/facts/test-objects.js';
import { repoRoot } from '../helpers/cli.js';
import { compileBpf, TINY_C, tmpPath } from './bpf-objects.js';

const EXAMPLE = path.join(repoRoot, 'examples/execsnoop');
/** bpf2go's file names per GOARCH (its -target names). */
const BPF2GO = { amd64: 'x86_bpfel', arm64: 'arm64_bpfel', s390x: 's390_bpfeb' } as const;

/** A build output of scripts/build-example; missing, the test fails saying so. */
function built(name: string): string {
  const file = path.join(EXAMPLE, name);
  if (!existsSync(file)) throw new Error(`${file} is missing: run scripts/build-example`);
  return file;
}

const loader = (goarch: string) => built(`bin/execsnoop-naive-${goarch}`);
function cellOf(...tests: { path: string; files?: string[] }[]): Pick<Cell, 'tests'> {
  const files = (t: { files?: string[] }) => (t.files ?? []).map((src) => ({ src, dest: '' }));
  return { tests: tests.map((t) => ({ path: t.path, files: files(t) })) } as Pick<Cell, 'tests'>;
}
const byBytes = (a: Buffer, b: Buffer) => Buffer.compare(a, b);
const relos = (p: ProgramFacts) => p.coreRelos.map((r) => `${r.kind} ${reloPath(r)}`);

describe('BPF objects embedded in a loader', () => {
  for (const goarch of ['amd64', 'arm64', 's390x'] as const) {
    it(`execsnoop-naive-${goarch} carries the naive and the portable bpf2go objects, byte for byte`, () => {
      const images = bpfImages(readFileSync(loader(goarch))).map((i) => i.bytes);
      const objects = ['naive', 'execsnoop'].map((v) => readFileSync(built(`${v}_${BPF2GO[goarch]}.o`)));
      expect(images.sort(byBytes)).toEqual(objects.sort(byBytes));
    });
  }

  it("a C loader's object, embedded with .incbin (execwatch, libbpf), in either byte order", async () => {
    for (const arch of ['amd64', 's390x']) {
      const bin = path.join(repoRoot, `examples/execwatch/bin/execwatch-${arch}`);
      const object = path.join(repoRoot, `examples/execwatch/build/execwatch-${arch}.bpf.o`);
      for (const f of [bin, object]) if (!existsSync(f)) throw new Error(`${f} is missing: run scripts/build-example`);
      expect(bpfImages(readFileSync(bin)).map((i) => i.bytes)).toEqual([readFileSync(object)]);
      const [found] = await testObjects(cellOf({ path: bin }));
      const sections = found?.programs.map((p) => p.section);
      const tracepoint = 'tracepoint/sched/sched_process_exec';
      expect([found?.file, found?.bigEndian, sections]).toEqual([`${bin}#1`, arch === 's390x', [tracepoint]]);
    }
  });

  it('reads the big-endian (s390x) images to the same facts as the .o files, named after the loader', async () => {
    const found = await testObjects(cellOf({ path: loader('s390x') }));
    expect(found.map((p) => [p.file, p.bigEndian])).toEqual([
      [`${loader('s390x')}#1`, true],
      [`${loader('s390x')}#2`, true],
    ]);
    const naive = found.find((p) => relos(p).includes('FIELD_BYTE_OFFSET task_struct.state'))!;
    const shipped = await readProgramFacts(built('naive_s390_bpfeb.o'));
    expect({ ...naive, file: '' }).toEqual({ ...shipped, file: '' });
    const portable = found.find((p) => p !== naive)!;
    expect(relos(portable)).toContain('FIELD_EXISTS task_struct.__state');
  });

  it('counts an object once when several tests carry it (a loader and its Go test binary)', async () => {
    const programs = ['bin/execsnoop-naive-amd64', 'bin/execsnoop-amd64', 'bin/execsnoop-tests-amd64'];
    const tests = programs.map((p) => ({ path: built(p) }));
    const found = await testObjects(cellOf(...tests));
    expect(found.map((p) => p.file)).toEqual([`${tests[0]!.path}#1`, `${tests[0]!.path}#2`]);
  });

  it("takes the tests' files that are BPF objects; not other files, stripped objects, missing paths", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pm-test-objects-'));
    const object = path.join(dir, 'naive.o');
    copyFileSync(built('naive_x86_bpfel.o'), object);
    const text = path.join(dir, 'notes.txt');
    writeFileSync(text, '\x7fELF is how every ELF file starts\n');
    const stripped = path.join(dir, 'stripped.o');
    execFileSync('llvm-strip', ['--strip-all', compileBpf(TINY_C, 'embed-strip.o'), '-o', stripped]);
    const files = [text, stripped, object, dir];
    const found = await testObjects(cellOf({ path: path.join(dir, 'not-built-yet'), files }));
    expect(found.map((p) => p.file)).toEqual([object]);
  });

  it('finds nothing in an ELF file for another machine', async () => {
    const ls = readFileSync('/bin/ls');
    expect(ls.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(bpfImages(ls)).toEqual([]);
    expect(await testObjects(cellOf({ path: '/bin/ls' }))).toEqual([]);
  });

  it('passes over a truncated image, and still finds a whole one after it', () => {
    const o = readFileSync(built('naive_s390_bpfeb.o'));
    const filler = Buffer.alloc(300, 0xa5);
    expect(bpfImages(Buffer.concat([filler, o.subarray(0, o.length - 1)]))).toEqual([]);
    expect(bpfImages(o.subarray(0, 100))).toEqual([]);
    const cut = o.subarray(0, o.length - 200);
    const images = bpfImages(Buffer.concat([cut, filler, o, filler]));
    expect(images.map((i) => i.offset)).toEqual([cut.length + filler.length]);
    expect(images[0]!.bytes).toEqual(o);
  });

  it('finds nothing in random bytes, even around a BPF header', async () => {
    const header = readFileSync(built('naive_x86_bpfel.o')).subarray(0, 64);
    const around = Buffer.concat([randomBytes(65536), header, randomBytes(65536)]);
    const after = Buffer.concat([header, randomBytes(65536)]);
    expect(bpfImages(around)).toEqual([]);
    expect(bpfImages(after)).toEqual([]);
    const [a, b] = [tmpPath('around.bin'), tmpPath('after.bin')];
    writeFileSync(a, around);
    writeFileSync(b, after);
    expect(await testObjects(cellOf({ path: a, files: [a, b] }, { path: b }))).toEqual([]);
  });
});
