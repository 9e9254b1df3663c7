// The user/capabilities part of the config axis, on real kernels (TCG, amd64,
// Debian trixie 6.12), with the bundled execsnoop loader (cilium/ebpf, kprobe):
// - a non-root user without capabilities: EPERM creating the first map;
// - root limited to CAP_BPF + CAP_PERFMON: refused the perf event at Debian's
//   default kernel.perf_event_paranoid=3, passes at 2;
// - a non-root user with CAP_BPF + CAP_PERFMON (paranoid 2): refused by tracefs
//   (root's, 0700), passes with CAP_DAC_OVERRIDE added.
// pmcap is built by scripts/build-guest-tools (needs Go).

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readElf } from '../../src/guest/elf.js';
import { capHelperPath, requireCapHelper, sharedInputEntries } from '../../src/guest/initramfs.js';
import type { CellResult, RunResults } from '../../src/results/model.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';

const LOADER = path.join(repoRoot, 'examples/execsnoop/bin/execsnoop-{arch}');

const MATRIX = `kernels: [debian:trixie]
arches: [amd64]
configs:
  - name: user
    user: portmatrix
  - name: root-bpf
    capabilities: [CAP_BPF, CAP_PERFMON]
  - name: root-bpf-p2
    capabilities: [CAP_BPF, CAP_PERFMON]
    sysctl: {kernel.perf_event_paranoid: 2}
  - name: user-bpf-p2
    user: portmatrix
    capabilities: [bpf, perfmon]
    sysctl: {kernel.perf_event_paranoid: 2}
  - name: user-bpf-dac-p2
    user: portmatrix
    capabilities: [bpf, perfmon, dac_override]
    sysctl: {kernel.perf_event_paranoid: 2}
loader:
  path: ${LOADER}
  timeout: 30
# The loader embeds the naive variant too; the check reads the objects it loads.
btf:
  objects: ["${repoRoot}/examples/execsnoop/bin/btf/execsnoop-{goarch}.o"]
`;

// Fails loudly without Go: the script names the package. About a second when up to date.
beforeAll(() => execFileSync(path.join(repoRoot, 'scripts/build-guest-tools'), { stdio: 'inherit' }), 300_000);

describe('a loader run as a user, with and without capabilities (real boots)', () => {
  let run: Awaited<ReturnType<typeof runCli>>;
  let cells: Record<string, CellResult>;

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-caps-'));
    await useTestLock(dir);
    await writeFile(path.join(dir, 'matrix.yaml'), MATRIX);
    run = await runCli(['run', '--allow-outside-project', '--accel', 'tcg', '--retries', '0', '--jobs', '2'], {
      cwd: dir,
    });
    const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
    cells = Object.fromEntries(results.cells.map((c) => [c.config, c]));
    // Retries are off: every cell ran exactly once.
    for (const c of results.cells) expect(c.attempts, c.id).toBe(1);
    for (const c of results.cells) console.log(`${c.id}: ${c.status} uid=${c.guest?.uid} CapEff=${c.guest?.capEff} ${c.timings.totalMs} ms; ${c.reason ?? ''}`);
  }, 600_000);

  it('builds pmcap for every guest arch', async () => {
    for (const arch of ['amd64', 'arm64', 's390x'] as const) {
      expect(await readElf(capHelperPath(arch))).toMatchObject({ arch, static: true });
    }
  });

  it('fails as a user without capabilities, and the reason says EPERM and who the loader ran as', () => {
    const cell = cells.user!;
    expect(cell.status, cell.consoleTail).toBe('fail');
    expect(cell.guest).toMatchObject({ uid: 1000, capEff: '0000000000000000' });
    expect(cell.reason).toMatch(/^permission denied: .*operation not permitted/);
    expect(cell.reason).toContain('(the loader ran as uid 1000, no capabilities; loading BPF needs CAP_BPF or CAP_SYS_ADMIN');
  });

  it('as root with only CAP_BPF + CAP_PERFMON: refused the perf event at perf_event_paranoid=3, passes at 2', () => {
    const refused = cells['root-bpf']!;
    expect(refused.status, refused.consoleTail).toBe('fail');
    // Bits 38 (perfmon) and 39 (bpf) and nothing else: pmcap's securebits kept root from regaining the rest.
    expect(refused.guest).toMatchObject({ uid: 0, capEff: '000000c000000000' });
    expect(refused.reason).toMatch(/^permission denied: .*opening perf event: permission denied/);
    expect(refused.reason).toContain('uid 0, CAP_PERFMON+CAP_BPF; Debian kernels default to kernel.perf_event_paranoid=3');
    const passed = cells['root-bpf-p2']!;
    expect(passed.status, `${passed.reason}\n${passed.stderr}\n${passed.consoleTail}`).toBe('pass');
    expect(passed.guest).toMatchObject({ uid: 0, capEff: '000000c000000000' });
    expect(passed.stdout).toContain('"ok":true');
  });

  it('as a user with CAP_BPF + CAP_PERFMON: refused by tracefs, passes with CAP_DAC_OVERRIDE', () => {
    const refused = cells['user-bpf-p2']!;
    expect(refused.status, refused.consoleTail).toBe('fail');
    expect(refused.guest).toMatchObject({ uid: 1000, capEff: '000000c000000000' });
    expect(refused.stderr).toMatch(/open \/sys\/kernel\/tracing\/\S+: permission denied/);
    expect(refused.reason).toMatch(/^permission denied: .*trace event/);
    expect(refused.reason).toContain('needs CAP_DAC_OVERRIDE');
    const passed = cells['user-bpf-dac-p2']!;
    expect(passed.status, `${passed.reason}\n${passed.stderr}\n${passed.consoleTail}`).toBe('pass');
    expect(passed.guest).toMatchObject({ uid: 1000, capEff: '000000c000000002' });
  });

  it('exits 1 and lists the failed cells with their reasons, the kernel-level one first', () => {
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/amd64\/debian-trixie\/user +kernel lacks privilege CAP_BPF: the loader runs as portmatrix/);
  });

  it('check predicts both privilege failures; the tracefs refusal is beyond the kernel facts', () => {
    const need = (c: CellResult) => c.tests.map((t) => (typeof t.explanation === 'object' ? t.explanation.need : t.explanation));
    expect(need(cells.user!)).toEqual(['CAP_BPF']);
    expect(need(cells['root-bpf']!)).toEqual(['CAP_SYS_ADMIN']);
    expect(need(cells['user-bpf-p2']!)).toEqual(['unexplained']);
    const note = 'check: 1 of 5 checked cells differ from the prediction: amd64/debian-trixie/user-bpf-p2 failed unexplained';
    expect(run.stdout.replace(/\n +/g, ' ')).toContain(note);
  });
});

describe('pmcap in the inputs', () => {
  it('lands at /portmatrix/pmcap, executable, and only a build for the cell arch is accepted', async () => {
    const spec = { arch: 'amd64' as const };
    const entries = await sharedInputEntries({ ...spec, capHelper: capHelperPath('amd64') });
    expect(entries.find((e) => e.path === 'portmatrix/pmcap')).toMatchObject({ type: 'file', mode: 0o755 });
    expect((await sharedInputEntries(spec)).some((e) => e.path === 'portmatrix/pmcap')).toBe(false);
    await expect(sharedInputEntries({ ...spec, capHelper: capHelperPath('arm64') })).rejects.toThrow(
      /is arm64 .*not a amd64 build; rebuild with scripts\/build-guest-tools/,
    );
  });
});

describe('requireCapHelper', () => {
  it('names scripts/build-guest-tools when pmcap is missing, and passes cells without capabilities', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'pm-nohelper-'));
    const cell = (capabilities?: string[]) => ({ arch: 'arm64' as const, config: { capabilities } });
    await expect(requireCapHelper([cell()], empty)).resolves.toBeUndefined();
    const err = await requireCapHelper([cell(['bpf'])], empty).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 2 });
    expect(String(err)).toMatch(/pmcap-arm64 is missing; build it with scripts\/build-guest-tools/);
  });
});
