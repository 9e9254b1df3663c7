// BTF modes on real kernels (TCG), with the bundled execsnoop loader (cilium/ebpf,
// CO-RE), started from a small sh wrapper that prints what the loader is given:
// - Debian bookworm s390x (6.1) has no BTF: the loader fails with `kernel`, passes
//   with `auto` (BTF generated from linux-image-6.1.0-*-s390x-dbg by pahole) and
//   with `min` (bpftool's minimal BTF of the example's objects, under 1 % of it);
//   a second pull downloads nothing.
// - Debian trixie amd64 (6.12) has BTF: `none` hides it and the loader fails for
//   want of it; `kernel` passes.
// This is the smallest -dbg package of the example's kernels (413 MiB; amd64 and
// arm64 are about 800 MiB), and the only one whose kernel really lacks BTF. Measured
// here: 7-16 s to stream it from deb.debian.org, 28 s for pahole on a busy machine.

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellResult, RunResults } from '../../src/results/model.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';

const WRAPPER = `#!/bin/sh
echo "PORTMATRIX_BTF=$PORTMATRIX_BTF"
test -n "$PORTMATRIX_BTF" && echo "btf bytes $(wc -c < "$PORTMATRIX_BTF")"
# Its files land where it starts (its root).
exec ./execsnoop-*
`;

function matrix(kernel: string, arch: string, configs: string[]): string {
  return `kernels: [${kernel}]
arches: [${arch}]
configs:
${configs.map((c) => `  - {name: ${c}, btf: ${c}}`).join('\n')}
btf:
  objects: ["${repoRoot}/examples/execsnoop/bin/btf/execsnoop-{goarch}.o"]
loader:
  path: ./wrapper.sh
  files: ["${repoRoot}/examples/execsnoop/bin/execsnoop-{goarch}"]
  timeout: 60
`;
}

async function runMatrix(prefix: string, yaml: string) {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await writeFile(path.join(dir, 'matrix.yaml'), yaml);
  await writeFile(path.join(dir, 'wrapper.sh'), WRAPPER, { mode: 0o755 });
  await useTestLock(dir); // pinned kernels, and the pinned -dbg package of bookworm s390x
  const run = await runCli(['run', '--allow-outside-project', '--accel', 'tcg', '--jobs', '2', '--retries', '0'], {
    cwd: dir,
  });
  const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
  for (const c of results.cells) console.log(`${c.id}: ${c.status} btf=${JSON.stringify(c.btf)} ${c.timings.totalMs} ms; ${c.reason ?? ''}`);
  return { dir, run, cells: Object.fromEntries(results.cells.map((c) => [c.config, c])) as Record<string, CellResult> };
}

// Fails loudly without Go, clang or bpftool's objects: the script names the package.
beforeAll(() => execFileSync(path.join(repoRoot, 'scripts/build-example'), { stdio: 'inherit' }), 600_000);

describe('bookworm s390x, a kernel without BTF (real boots)', () => {
  let dir: string;
  let cells: Record<string, CellResult>;
  beforeAll(async () => {
    ({ dir, cells } = await runMatrix('pm-btf-s390x-', matrix('debian:bookworm', 's390x', ['kernel', 'auto', 'min'])));
  }, 900_000);

  it('fails with the kernel as it is: no BTF, and the reason says so', () => {
    const cell = cells.kernel!;
    expect(cell.status, cell.consoleTail).toBe('fail');
    expect(cell.attempts).toBe(1);
    expect(cell.reason).toMatch(/^missing kernel BTF: .*no BTF found for kernel version 6\.1\.0-\d+-s390x/);
    expect(cell.btf).toEqual({ mode: 'kernel', source: 'none' });
    expect(cell.stdout).toMatch(/^PORTMATRIX_BTF=\n/);
  });

  it('passes with btf: auto, on BTF generated from the -dbg package, seen at /sys/kernel/btf/vmlinux', () => {
    const cell = cells.auto!;
    expect(cell.status, `${cell.reason}\n${cell.stderr}\n${cell.consoleTail}`).toBe('pass');
    expect(cell.attempts).toBe(1);
    expect(cell.btf).toMatchObject({ mode: 'auto', source: 'generated' });
    expect(cell.btf!.bytes).toBeGreaterThan(1_000_000);
    expect(cell.guest?.btfPresent).toBe(true);
    expect(cell.stdout).toContain(`PORTMATRIX_BTF=/sys/kernel/btf/vmlinux\nbtf bytes ${cell.btf!.bytes}\n`);
  });

  it('passes with btf: min, whose file is under 1 % of the full BTF', async () => {
    const cell = cells.min!;
    expect(cell.status, `${cell.reason}\n${cell.stderr}\n${cell.consoleTail}`).toBe('pass');
    expect(cell.attempts).toBe(1);
    expect(cell.btf).toMatchObject({ mode: 'min', source: 'min', file: 'btf/debian-bookworm-s390x.btf' });
    const size = (await stat(path.join(dir, 'results/btf/debian-bookworm-s390x.btf'))).size;
    expect(size).toBe(cell.btf!.bytes);
    expect(size).toBeLessThan(cells.auto!.btf!.bytes! / 100);
    expect(cell.stdout).toContain(`btf bytes ${size}\n`);
  });

  it('a second pull downloads nothing: kernel, busybox and generated BTF come from the cache and the lock', async () => {
    const lock = JSON.parse(await readFile(path.join(dir, 'portmatrix.lock'), 'utf8'));
    expect(Object.values(lock.btf)).toMatchObject([{ debs: [{ package: expect.stringMatching(/^linux-image-6\.1\.0-\d+-s390x-dbg$/) }] }]);
    const pull = await runCli(['images', 'pull', '--allow-outside-project'], { cwd: dir });
    expect(pull.code, pull.stderr).toBe(0);
    expect(pull.stdout).toMatch(/BTF generated from the -dbg package, \d+\.\d MiB/);
    expect(pull.stdout).toContain('0 HTTP requests');
    expect(pull.stderr).not.toMatch(/fetch/);
  });
});

describe('trixie amd64, a kernel with BTF (real boots)', () => {
  let dir: string;
  let cells: Record<string, CellResult>;
  beforeAll(async () => {
    ({ dir, cells } = await runMatrix('pm-btf-amd64-', matrix('debian:trixie', 'amd64', ['kernel', 'none'])));
  }, 600_000);

  it('passes with the kernel BTF', () => {
    const cell = cells.kernel!;
    expect(cell.status, `${cell.reason}\n${cell.consoleTail}`).toBe('pass');
    expect(cell.attempts).toBe(1);
    expect(cell.btf).toEqual({ mode: 'kernel', source: 'kernel' });
    expect(cell.stdout).toMatch(/^PORTMATRIX_BTF=\/sys\/kernel\/btf\/vmlinux\nbtf bytes \d{7}\n/);
  });

  it('fails with btf: none, for want of kernel BTF', () => {
    const cell = cells.none!;
    expect(cell.status, cell.consoleTail).toBe('fail');
    expect(cell.attempts).toBe(1);
    expect(cell.reason).toMatch(/^missing kernel BTF: .*no BTF found for kernel version 6\.12\./);
    expect(cell.btf).toEqual({ mode: 'none', source: 'none' });
    expect(cell.guest?.btfPresent).toBe(false);
    expect(cell.stdout).toMatch(/^PORTMATRIX_BTF=\n/);
  });

  it('writes the minimal BTF for the kernel and arch in any mode, from the BTF inside the kernel image', async () => {
    const min = await readFile(path.join(dir, 'results/btf/debian-trixie-amd64.btf'));
    expect(min.readUInt16LE(0)).toBe(0xeb9f); // little-endian raw BTF
    expect(min.length).toBeGreaterThan(100);
    expect(min.length).toBeLessThan(2000);
  });
});
