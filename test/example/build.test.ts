// scripts/build-example builds the bundled example for the three arches
// portmatrix boots. A loader built for the wrong machine or byte order would
// only show up as an "exec format error" deep inside a guest, so check here.
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { EM_AARCH64, EM_BPF, EM_S390, EM_X86_64, readElf } from './elf.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const example = join(root, 'examples', 'execsnoop');

const arches = [
  { goarch: 'amd64', machine: EM_X86_64, endian: 'LE', bpf: 'execsnoop_x86_bpfel.o' },
  { goarch: 'arm64', machine: EM_AARCH64, endian: 'LE', bpf: 'execsnoop_arm64_bpfel.o' },
  { goarch: 's390x', machine: EM_S390, endian: 'BE', bpf: 'execsnoop_s390_bpfeb.o' },
] as const;

beforeAll(async () => {
  // Fails loudly (with the script's message naming the apt package) when go,
  // clang, llvm-strip or libbpf-dev is missing. Cold builds take minutes.
  try {
    await run(join(root, 'scripts', 'build-example'), [], { cwd: root, timeout: 590_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`scripts/build-example failed:\n${e.stderr ?? e.message}`);
  }
}, 600_000);

describe.each(arches)('scripts/build-example for $goarch', ({ goarch, machine, endian, bpf }) => {
  for (const name of [`execsnoop-${goarch}`, `execsnoop-naive-${goarch}`, `execsnoop-tests-${goarch}`]) {
    it(`bin/${name} is a static 64-bit ${endian} ELF for machine ${machine}`, async () => {
      const elf = await readElf(join(example, 'bin', name));
      expect(elf).toEqual({ bits: 64, endian, type: 2, machine, interp: false });
    });
  }

  it(`bpf2go compiled ${bpf} as ${endian} eBPF`, async () => {
    const elf = await readElf(join(example, bpf));
    expect(elf).toMatchObject({ bits: 64, endian, type: 1, machine: EM_BPF });
    // The naive variant is built for every arch too.
    await access(join(example, bpf.replace('execsnoop_', 'naive_')));
  });
});

describe('the host-arch loader', () => {
  it('rejects an unknown variant with exit 2 and one JSON line', async () => {
    if (process.arch !== 'x64') throw new Error(`this test runs the amd64 loader; host is ${process.arch}`);
    const err = await run(join(example, 'bin', 'execsnoop-amd64'), ['-variant', 'bogus']).then(
      () => undefined,
      (e: { code: number; stdout: string }) => e,
    );
    expect(err?.code).toBe(2);
    const line = JSON.parse(err?.stdout.trim() ?? '') as Record<string, unknown>;
    expect(line).toMatchObject({ ok: false, variant: 'bogus', stage: 'usage', arch: 'amd64' });
  });

  it('selects the naive variant by default in execsnoop-naive-amd64', async () => {
    // -h prints the flags with their defaults and exits before any BPF work.
    const out = await run(join(example, 'bin', 'execsnoop-naive-amd64'), ['-h']).catch((e: { stderr: string }) => e);
    expect(out.stderr).toMatch(/-variant string[\s\S]*\(default "naive"\)/);
  });
});

describe('the Go test suite (bin/execsnoop-tests-<goarch>, go test -c)', () => {
  it('lists its tests and runs the case that needs no kernel feature, parsed case by case', async () => {
    const bin = join(example, 'bin', 'execsnoop-tests-amd64');
    const list = await run(bin, ['-test.list', '.']);
    expect(list.stdout.trim().split('\n')).toEqual(['TestLoad', 'TestAttach', 'TestEventForTrue', 'TestCOREFieldRead', 'TestRingBuffer']);
    const { parseGoTest } = await import('../../src/suite/gotest-cases.js');
    const out = await run(bin, ['-test.v=test2json', '-test.run', '^TestRingBuffer$/short']);
    const got = parseGoTest(out.stdout, { exitCode: 0 });
    expect(got.cases.map((c) => `${c.status} ${c.name}`)).toEqual(['pass TestRingBuffer', 'pass TestRingBuffer/a_short_record_is_refused']);
  });
});

// examples/execwatch: C + libbpf, linked against a Debian bookworm sysroot. What it
// needs in a guest is checked by the same pre-flight a run uses.
describe.each(arches)('examples/execwatch for $goarch', ({ goarch, machine, endian }) => {
  const bin = join(root, 'examples', 'execwatch', 'bin', `execwatch-${goarch}`);

  it(`is a dynamic 64-bit ${endian} PIE that needs libbpf.so.1 and glibc`, async () => {
    expect(await readElf(bin)).toEqual({ bits: 64, endian, type: 3, machine, interp: true });
    const { readElf: readElfInfo } = await import('../../src/guest/elf.js');
    expect((await readElfInfo(bin))?.needed).toEqual(['libbpf.so.1', 'libc.so.6']);
  });

  it('pre-flight: missing libbpf.so.1 without packages, nothing missing with packages [libbpf1]', async () => {
    const { missingLibraries } = await import('../../src/libc/needed.js');
    const { createImageStore, defaultImageOptions } = await import('../../src/images/store.js');
    const spec = { program: bin, arch: goarch, libc: true } as const;
    expect(await missingLibraries({ ...spec, roots: [] })).toEqual([{ soname: 'libbpf.so.1', neededBy: bin }]);
    const store = createImageStore(defaultImageOptions(process.env, undefined, { lockFile: undefined }));
    const pkgs = await store.packages(['libbpf1'], 'bookworm', goarch);
    expect(pkgs.lock.debs.map((d) => d.package)).toEqual(['libbpf1', 'libelf1', 'zlib1g']);
    expect(await missingLibraries({ ...spec, roots: [pkgs.root] })).toEqual([]);
  }, 120_000);
});

describe('the host-arch C loader', () => {
  it('starts (its libbpf.so.1 resolves on the host) and rejects a bad flag with exit 2', async () => {
    const err = await run(join(root, 'examples', 'execwatch', 'bin', 'execwatch-amd64'), ['-x']).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toMatch(/usage: .*execwatch-amd64 \[-e PATH\] \[-t TIMEOUT_MS\]/);
  });
});

// The repository's own matrix.yaml, on real trixie kernels: one cell per arch and
// config, three tests each (6 pass; 6 expected lockdown and nonroot failures). In this file, after the build, so
// the loaders are not rewritten while the guests run them. Its nobtf and min configs are
// left to test/btf/btf.vm.test.ts, which boots fewer cells for them.
describe('the repository matrix on debian:trixie', () => {
  it('every cell matches its expectation and the run exits 0', async () => {
    const { mkdtemp, readFile } = await import('node:fs/promises');
    const os = await import('node:os');
    const { runCli } = await import('../helpers/cli.js');
    const out = await mkdtemp(join(os.tmpdir(), 'pm-example-'));
    const run = await runCli(
      [
        'run',
        '--accel',
        'tcg',
        '--retries',
        '0',
        '--only',
        'kernel=debian-trixie,config=default,config=lockdown,config=bpf-caps,config=nonroot',
        '--results-dir',
        out,
      ],
      { cwd: root },
    );
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    const seen = Object.fromEntries(results.cells.map((c: { id: string; status: string }) => [c.id, c.status]));
    for (const c of results.cells as { id: string; status: string; attempts: number }[]) if (c.status !== 'skip') expect(c.attempts, c.id).toBe(1);
    const expected: Record<string, string> = {};
    for (const arch of ['amd64', 'arm64', 's390x']) {
      Object.assign(expected, {
        [`${arch}/debian-trixie/bpf-caps/debian-bookworm`]: 'pass',
        [`${arch}/debian-trixie/default/debian-bookworm`]: 'pass',
        [`${arch}/debian-trixie/lockdown/debian-bookworm`]: 'xfail',
        [`${arch}/debian-trixie/nonroot/debian-bookworm`]: 'xfail',
      });
    }
    expect(seen).toEqual(expected);
    type Test = { name: string; status: string; stdout: string; reason?: string };
    for (const cell of results.cells) {
      // Three tests a cell, in one boot: the loader, its Go suite, the C + libbpf tool.
      const tests = Object.fromEntries((cell.tests as Test[]).map((t) => [t.name, t]));
      expect(Object.keys(tests)).toEqual(['execsnoop', 'go-suite', 'execwatch']);
      if (cell.status === 'pass') {
        for (const t of Object.values(tests)) expect([t.name, t.status]).toEqual([t.name, 'pass']);
        expect(JSON.parse(tests.execsnoop!.stdout)).toMatchObject({ ok: true, filename: '/bin/true', arch: cell.arch });
        expect(JSON.parse(tests.execwatch!.stdout.trim().split('\n').pop()!)).toMatchObject({
          ok: true,
          filename: '/bin/true',
          libbpf: '1.1',
        });
      }
      if (cell.config === 'bpf-caps') expect(cell.guest).toMatchObject({ uid: 0, capEff: '000000c000000000' });
      if (cell.config === 'lockdown') {
        for (const name of ['execsnoop', 'execwatch'])
          expect(tests[name]!.reason).toMatch(/^kernel lockdown \(confidentiality\) forbids reading kernel memory/);
      }
      if (cell.config === 'nonroot') {
        expect(cell.guest).toMatchObject({ uid: 1000, capEff: '0000000000000000' });
        expect(tests.execsnoop!.reason).toMatch(/^permission denied: .*map create: operation not permitted/);
        expect(tests.execwatch!.reason).toMatch(/^permission denied: /);
      }
    }
  }, 900_000);
});
