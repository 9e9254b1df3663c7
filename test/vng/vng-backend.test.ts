// Real boots through virtme-ng under TCG (`vng --disable-kvm`), Debian trixie amd64:
// a shell-script loader that fails on purpose (with an arm64 cell that vng must
// skip), then the bundled execsnoop example and a second test in the same guest,
// which pass. Two vng boots in all.
// Needs vng, the Rust virtiofsd and udev: scripts/install-vng installs them.

import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { which } from '../../src/host/which.js';
import type { CellResult, RunResults } from '../../src/results/model.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';

const LOADER = `#!/bin/sh
echo "machine=$(uname -m)"
# vng's init leaves its marks on the kernel command line.
grep -o 'virtme_hostname=[^ ]*' /proc/cmdline
grep -o 'portmatrix[.]probe=[^ ]*' /proc/cmdline
echo "attach kprobe: operation not permitted" >&2
exit 7
`;

function requireVng(): void {
  for (const tool of ['vng', 'virtiofsd', 'udevadm']) {
    if (!which(tool, process.env)) throw new Error(`${tool} not found on PATH: the vng backend tests need it; run scripts/install-vng`);
  }
}

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-vng-'));
  await useTestLock(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

async function results(dir: string): Promise<RunResults> {
  return JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
}

function vngQemus(): string[] {
  try {
    return execFileSync('pgrep', ['-a', '-f', 'qemu-system-x86_64 -name virtme-ng'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

describe('vm.backend: vng with a shell-script loader', () => {
  let dir: string;
  let run: Awaited<ReturnType<typeof runCli>>;
  let cells: CellResult[];

  beforeAll(async () => {
    requireVng();
    dir = await project({
      'matrix.yaml': `kernels: [debian:trixie]
arches: [amd64, arm64]
configs:
  - name: probe
    cmdline: [portmatrix.probe=on]
vm:
  backend: vng
loader:
  path: ./loader.sh
  timeout: 30
expect:
  - config: probe
    result: fail
    reason: the script exits 7 on purpose
`,
      'loader.sh': LOADER,
    });
    await chmod(path.join(dir, 'loader.sh'), 0o755);
    run = await runCli(['run', '--allow-outside-project', '--accel', 'tcg', '--retries', '0'], { cwd: dir });
    cells = (await results(dir)).cells;
  }, 600_000);

  it('exits 0: the only failure was expected', () => {
    expect(run.code, run.stderr + run.stdout).toBe(0);
  });

  it('ran the amd64 cell through vng and mapped its failure onto the usual outcome', () => {
    const cell = cells.find((c) => c.id === 'amd64/debian-trixie/probe')!;
    expect(cell.status, cell.consoleTail).toBe('xfail');
    expect(cell.backend).toBe('vng');
    expect(cell.attempts).toBe(1);
    expect(cell.accel).toBe('tcg');
    expect(cell.exitCode).toBe(7);
    expect(cell.reason).toBe('permission denied: attach kprobe: operation not permitted');
    expect(cell.stdout).toContain('machine=x86_64');
    expect(cell.stdout).toContain('virtme_hostname=virtme-ng');
    expect(cell.stdout).toContain('portmatrix.probe=on');
    expect(cell.kernel.release).toMatch(/^6\.12\./);
    expect(cell.guest?.unameR).toBe(cell.kernel.release);
    // The loader runs three greps under TCG: measurable, and inside the cell's own time.
    const { bootMs, loaderMs, totalMs } = cell.timings;
    expect(bootMs).toBeGreaterThan(0);
    expect(loaderMs).toBeGreaterThan(0);
    expect(bootMs! + loaderMs!).toBeLessThanOrEqual(totalMs);
  });

  it('skips the arm64 cell and says why', () => {
    const cell = cells.find((c) => c.id === 'arm64/debian-trixie/probe')!;
    expect(cell.status).toBe('skip');
    expect(cell.reason).toContain('a arm64 cell needs a arm64 root filesystem');
  });

  it('keeps the kernel console in the cell log and leaves no VM behind', async () => {
    const cell = cells.find((c) => c.id === 'amd64/debian-trixie/probe')!;
    expect(cell.consoleLog).toBe('console/amd64__debian-trixie__probe.log');
    const log = await readFile(path.join(dir, 'results', cell.consoleLog!), 'utf8');
    expect(log).toContain('virtme-ng-init');
    expect(vngQemus()).toEqual([]);
  });
});

describe('vm.backend: vng with the bundled execsnoop example and a second test in the same boot', () => {
  let dir: string;
  let run: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    requireVng();
    dir = await project({
      'matrix.yaml': `kernels: [debian:trixie]
arches: [amd64]
vm:
  backend: vng
tests:
  - name: execsnoop
    path: ${path.join(repoRoot, 'examples/execsnoop/bin/execsnoop-{goarch}')}
    timeout: 60
  - name: after
    path: ./after.sh
    args: [second]
`,
      // Runs after execsnoop in the same vng guest, from its own root.
      'after.sh': '#!/bin/sh\necho "$1 in $(pwd)"\n',
    });
    await chmod(path.join(dir, 'after.sh'), 0o755);
    run = await runCli(['run', '--allow-outside-project', '--accel', 'tcg', '--retries', '0'], { cwd: dir });
  }, 600_000);

  it('passes both: the kprobe fired for the child it ran, and the next test ran in its own root', async () => {
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const [cell] = (await results(dir)).cells;
    expect(cell!.status, cell!.consoleTail).toBe('pass');
    expect(cell!.backend).toBe('vng');
    const [execsnoop, after] = cell!.tests;
    expect([execsnoop!.status, after!.status]).toEqual(['pass', 'pass']);
    const line = JSON.parse(execsnoop!.stdout.trim().split('\n').at(-1)!);
    expect(line).toMatchObject({ ok: true, variant: 'portable', arch: 'amd64' });
    expect(line.filename).toBe('/bin/true');
    expect(after!.stdout).toBe('second in /portmatrix/t/1\n');
    expect(cell!.guest?.btfPresent).toBe(true);
  });
});
