// Snapshot boots on real kernels (TCG, amd64, Debian trixie 6.12), through the CLI,
// in the shared cache (snapshots are keyed by content, so other runs' snapshots
// of the same boot are the same). Retries are off; every assertion names the boot
// of each cell, so a silent fallback to cold boots fails the test.

import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256File } from '../../src/images/cache.js';
import { snapshotStore } from '../../src/images/snapshots.js';
import { defaultImageOptions } from '../../src/images/store.js';
import type { CellResult, RunResults } from '../../src/results/model.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';

// pass on the default config, fail (expected) under lockdown: the outcomes to compare.
const LOCKDOWN_LOADER = `#!/bin/sh
grep -q '\\[none\\]' /sys/kernel/security/lockdown || { echo "locked down: $(cat /sys/kernel/security/lockdown)" >&2; exit 1; }
echo open
`;
// What two cells of one snapshot must not share: files, random state, a stale clock.
const ISOLATION_LOADER = `#!/bin/sh
echo "uuid=$(cat /proc/sys/kernel/random/uuid)"
echo "now=$(date +%s)"
touch /tmp/seen-$(cat /proc/sys/kernel/random/uuid)
echo "seen=$(ls /tmp | grep -c '^seen-')"
`;

// A cell of staged files (in the loader's root, where it starts): the file as sent, and no trace of another cell (each writes one).
const STAGED_LOADER = `#!/bin/sh
echo "sha=$(sha256sum big.bin | cut -d' ' -f1)"
echo "others=$(ls | grep -c '^cell-')"
touch cell-$(cat /proc/sys/kernel/random/uuid)
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pm-snapshot-'));
});

async function project(name: string, loader: string, matrix: string): Promise<string> {
  const p = path.join(dir, name);
  await rm(p, { recursive: true, force: true });
  await mkdir(p, { recursive: true });
  await writeFile(path.join(p, 'loader.sh'), loader);
  await chmod(path.join(p, 'loader.sh'), 0o755);
  await useTestLock(p);
  await writeFile(path.join(p, 'matrix.yaml'), `kernels: [debian:trixie]\narches: [amd64]\nloader:\n  path: ./loader.sh\n  timeout: 30\n${matrix}`);
  return p;
}

async function run(p: string, ...flags: string[]): Promise<{ code: number; stdout: string; stderr: string; cells: Record<string, CellResult> }> {
  const r = await runCli(['run', '--accel', 'tcg', '--retries', '0', '--reporter', 'json', ...flags], { cwd: p });
  const results: RunResults = JSON.parse(await readFile(path.join(p, 'results/results.json'), 'utf8'));
  return {
    code: r.code,
    stdout: r.stdout,
    stderr: r.stderr,
    cells: Object.fromEntries(results.cells.map((c) => [c.config, c])),
  };
}

/** `run` as its own process (spawnCli), for what only separate processes show. */
async function runProcess(p: string): Promise<{ code: number; stderr: string; cells: Record<string, CellResult> }> {
  const child = spawnCli(['run', '--accel', 'tcg', '--retries', '0', '--reporter', 'json'], { cwd: p });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
  const results: RunResults = JSON.parse(await readFile(path.join(p, 'results/results.json'), 'utf8'));
  return { code, stderr, cells: Object.fromEntries(results.cells.map((c) => [c.config, c])) };
}

const store = snapshotStore(defaultImageOptions(process.env, undefined).cacheDir, process.env);

describe('snapshot boots', () => {
  it('give the same outcomes as cold boots: pass, and an expected failure under lockdown', async () => {
    const p = await project(
      'outcomes',
      LOCKDOWN_LOADER,
      `configs:
  - name: default
  - name: lockdown
    cmdline: [lockdown=confidentiality]
expect:
  - config: lockdown
    result: fail
    reason: lockdown hides the kernel from the loader
`,
    );
    const cold = await run(p, '--no-snapshot');
    await run(p); // makes the snapshots of both boots (or finds them)
    const restored = await run(p);
    for (const r of [cold, restored]) expect(r.code, r.stderr).toBe(0);
    const view = (cells: Record<string, CellResult>) => Object.values(cells).map((c) => [c.config, c.status, c.attempts, c.boot, c.stdout, c.stderr]);
    expect(view(cold.cells)).toEqual([
      ['default', 'pass', 1, 'cold', 'open\n', ''],
      ['lockdown', 'xfail', 1, 'cold', '', 'locked down: none integrity [confidentiality]\n'],
    ]);
    expect(view(restored.cells)).toEqual(view(cold.cells).map(([c, s, a, , o, e]) => [c, s, a, 'snapshot', o, e]));
  }, 600_000);

  it('restore two cells of one snapshot that share no files, random state or a stale clock', async () => {
    const p = await project('isolation', ISOLATION_LOADER, 'configs: [{name: a}, {name: b}]\n');
    await run(p);
    const r = await run(p);
    const t = Date.now() / 1000;
    expect(r.code, r.stderr).toBe(0);
    const fields = (c: CellResult) =>
      Object.fromEntries(
        c.stdout
          .trim()
          .split('\n')
          .map((l) => l.split('=')),
      );
    const [a, b] = [r.cells.a!, r.cells.b!];
    expect([a.boot, b.boot, a.attempts, b.attempts]).toEqual(['snapshot', 'snapshot', 1, 1]);
    const [fa, fb] = [fields(a), fields(b)];
    expect(fa.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(fa.uuid).not.toBe(fb.uuid);
    for (const f of [fa, fb]) {
      expect(Math.abs(Number(f.now) - t)).toBeLessThan(300);
      expect(f.seen).toBe('1');
    }
  }, 600_000);

  it('boot cold when QEMU refuses a corrupt state, say so once and make the snapshot again', async () => {
    const p = await project('corrupt', '#!/bin/sh\necho ok\n', '');
    const first = await run(p);
    const release = first.cells.default!.kernel.release;
    const snap = (await store.list()).find((s) => s.describe === `amd64 ${release} 512 MiB 1 cpu tcg`);
    expect(snap, 'the first run made the snapshot').toBeDefined();
    // Half the state, with a meta that matches it: the hash check passes, QEMU's load fails.
    const file = store.statePath(snap!.key);
    await truncate(file, Math.floor(snap!.bytes / 2));
    const meta = { ...snap!, sha256: await sha256File(file), bytes: (await stat(file)).size };
    await writeFile(path.join(store.dir, `${snap!.key}.json`), JSON.stringify(meta));
    const r = await run(p);
    expect(r.code, r.stderr).toBe(0);
    expect([r.cells.default!.status, r.cells.default!.boot, r.cells.default!.attempts]).toEqual(['pass', 'cold', 1]);
    expect(r.stderr.match(/restoring the snapshot failed/g)).toHaveLength(1);
    const again = await store.lookup(snap!.key);
    expect(again.ok && again.meta.sha256 !== meta.sha256, 'made again').toBe(true);
    const next = await run(p);
    expect(next.cells.default!.boot).toBe('snapshot');
  }, 600_000);

  it('two runs that share one cache make one snapshot: one boots cold and saves it, the other waits and restores it', async () => {
    // A boot no earlier run made: its own kernel command line.
    const mark = `pm.concurrent=${Date.now()}`;
    const p1 = await project('concurrent-1', '#!/bin/sh\necho ok\n', `configs: [{name: default, cmdline: [${mark}]}]\n`);
    const p2 = await project('concurrent-2', '#!/bin/sh\necho ok\n', `configs: [{name: default, cmdline: [${mark}]}]\n`);
    // Two processes, so only the cache's lock can keep them from both making it.
    const [r1, r2] = await Promise.all([runProcess(p1), runProcess(p2)]);
    for (const r of [r1, r2]) expect([r.code, r.cells.default!.status, r.cells.default!.attempts], r.stderr).toEqual([0, 'pass', 1]);
    expect([r1.cells.default!.boot, r2.cells.default!.boot].sort()).toEqual(['cold', 'snapshot']);
    const release = r1.cells.default!.kernel.release;
    const made = (await store.list()).filter((x) => x.describe.includes(mark));
    expect(made.map((x) => x.describe)).toEqual([`amd64 ${release} 512 MiB 1 cpu tcg ${mark}`]);
    const verified = await store.lookup(made[0]!.key);
    expect(verified.ok).toBe(true);
  }, 600_000);

  it("stage files of 1 MiB or more into a snapshot of their own: cells restore it intact, each without the other's changes", async () => {
    // Files that make the staged snapshot this test's own: nothing else stages them.
    const p = await project('staged', STAGED_LOADER, '');
    await writeFile(
      path.join(p, 'matrix.yaml'),
      `kernels: [debian:trixie]\narches: [amd64]\nloader:\n  path: ./loader.sh\n  files: [./big.bin]\n  timeout: 60\nconfigs: [{name: a}, {name: b}]\n`,
    );
    const big = Buffer.concat([Buffer.from(`${process.pid}-${Date.now()}\n`), randomBytes(2 * 1024 * 1024)]);
    await writeFile(path.join(p, 'big.bin'), big);
    const want = createHash('sha256').update(big).digest('hex');
    const t0 = new Date().toISOString();
    const first = await run(p);
    expect(first.code, first.stderr).toBe(0);
    const ours = (await store.list()).filter((x) => x.createdAt >= t0 && / \+ files [0-9a-f]{12} \(2\.0 MiB\)$/.test(x.describe));
    expect(
      ours.map((x) => x.describe.startsWith(`amd64 ${first.cells.a!.kernel.release} 512 MiB 1 cpu tcg + files `)),
      'the first run staged the files once',
    ).toEqual([true]);
    const before = Date.now();
    const r = await run(p);
    expect(r.code, r.stderr).toBe(0);
    for (const c of [r.cells.a!, r.cells.b!]) {
      expect([c.status, c.boot, c.attempts]).toEqual(['pass', 'snapshot', 1]);
      // Intact, and the other cell's write did not reach it: both were restored from a state made before any cell ran.
      expect(c.stdout).toBe(`sha=${want}\nothers=0\n`);
    }
    const used = (await store.list()).find((x) => x.key === ours[0]!.key && x.usedMs >= before - 1000);
    expect(used, 'the second run restored the staged snapshot').toBeDefined();

    // A broken staged state: said once, the cells come from the boot's snapshot and stage again.
    const file = store.statePath(used!.key);
    await truncate(file, Math.floor(used!.bytes / 2));
    await writeFile(path.join(store.dir, `${used!.key}.json`), JSON.stringify({ ...used, sha256: await sha256File(file), bytes: (await stat(file)).size }));
    const again = await run(p);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr.match(/restoring the snapshot of its files failed/g)).toHaveLength(1);
    for (const c of [again.cells.a!, again.cells.b!]) expect([c.status, c.stdout]).toEqual(['pass', `sha=${want}\nothers=0\n`]);
    const remade = await store.lookup(used!.key);
    expect(remade.ok && remade.meta.bytes > used!.bytes * 0.75, 'staged again, whole').toBe(true);
  }, 900_000);

  it('--reuse takes an unchanged cell that passed from the cache, and runs a changed or failed one', async () => {
    // The store is the shared cache's: a token no earlier run had keeps their results out.
    const token = `# ${process.pid}-${Date.now()}\n`;
    const loader = `#!/bin/sh\n${token}echo "run $(cat /proc/sys/kernel/random/uuid)"\n! grep -q pm.fail /proc/cmdline\n`;
    const p = await project('reuse', loader, 'configs: [{name: default}, {name: broken, cmdline: [pm.fail]}]\n');
    const first = await run(p);
    expect(first.cells.default!.status).toBe('pass');
    expect(first.cells.broken!.status).toBe('fail');
    const again = await run(p, '--reuse');
    expect(again.code).toBe(1);
    expect(again.cells.default!.reused, 'unchanged pass is reused').toBeDefined();
    // Same result, same output: it was not run again.
    expect(again.cells.default!.stdout).toBe(first.cells.default!.stdout);
    expect(await readFile(path.join(p, 'results', again.cells.default!.consoleLog!), 'utf8')).toContain('phase=loader-start');
    expect(again.cells.broken!.reused, 'a failure is never reused').toBeUndefined();
    expect(again.stdout).toMatch(/1 of 2 cells reused the result of an earlier run/);
    expect(again.stderr).toMatch(/\[1\/2\] pass {2}amd64\/debian-trixie\/default .* reused$/m);

    await writeFile(path.join(p, 'loader.sh'), `#!/bin/sh\n${token}echo changed\n`);
    const changed = await run(p, '--reuse');
    expect(changed.cells.default!.reused).toBeUndefined();
    expect(changed.cells.default!.stdout).toBe('changed\n');
  }, 600_000);
});
