// The QEMU process owner, with fake "qemu"s: a node script that prints, ignores
// SIGTERM, or never boots. Every test checks no process is left behind.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { liveVmCount, runVm, type VmRun } from '../../src/vm/process.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pm-vmproc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fake qemu: prints its pid, then runs `body` (JS). */
function fake(name: string, body: string): string {
  const file = path.join(dir, `${name}.cjs`);
  writeFileSync(file, `console.log('pid=' + process.pid);\n${body}\n`);
  return file;
}

/** Running (a zombie waiting for a reaper counts as gone: it holds no resources). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

async function run(script: string, over: Partial<VmRun> = {}) {
  const lines: string[] = [];
  const consoleLog = path.join(dir, `${path.basename(script)}.${Math.random()}.log`);
  const exit = await runVm({
    binary: process.execPath,
    args: [script],
    consoleLog,
    deadlineMs: 10_000,
    bootDeadlineMs: 10_000,
    env: process.env,
    killGraceMs: 300,
    ...over,
    onLine: (l) => {
      lines.push(l);
      over.onLine?.(l);
    },
  });
  const pid = Number(/pid=(\d+)/.exec(lines.join('\n'))?.[1]);
  return { exit, lines, pid, log: readFileSync(consoleLog, 'utf8') };
}

const IGNORE_TERM = `process.on('SIGTERM', () => console.log('ignoring SIGTERM'));`;

describe('runVm', () => {
  it('captures the console in lines and in the log file, \\r stripped, stdout and stderr', async () => {
    const s = fake(
      'ok',
      `process.stdout.write('one\\r\\ntw'); setTimeout(() => { process.stdout.write('o\\n@@ready\\nlast without newline'); console.error('on stderr'); process.exit(3); }, 50);`,
    );
    const { exit, lines, log } = await run(s, { booted: (l) => l === '@@ready' });
    expect(exit).toMatchObject({ code: 3, signal: null, timedOut: false, bootTimedOut: false, aborted: false });
    expect(lines).toEqual(expect.arrayContaining(['one', 'two', '@@ready', 'last without newline', 'on stderr']));
    expect(log).toContain('one\r\ntwo\n@@ready\n');
    expect(exit.bootMs).toBeGreaterThanOrEqual(40);
    expect(exit.bootMs).toBeLessThanOrEqual(exit.durationMs);
    expect(exit.spawnError).toBeUndefined();
    expect(liveVmCount()).toBe(0);
  });

  it('stops a VM at its deadline: SIGTERM, then SIGKILL after the grace, and leaves no process', async () => {
    const s = fake('stubborn', `${IGNORE_TERM} setInterval(() => {}, 1000);`);
    const t0 = Date.now();
    const { exit, pid, lines } = await run(s, { deadlineMs: 800, killGraceMs: 500 });
    expect(exit).toMatchObject({ timedOut: true, bootTimedOut: false, signal: 'SIGKILL', code: null });
    expect(lines).toContain('ignoring SIGTERM');
    expect(pid).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1200);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(alive(pid)).toBe(false);
    expect(liveVmCount()).toBe(0);
  });

  it('uses SIGTERM alone when QEMU obeys it', async () => {
    const s = fake('obedient', `setInterval(() => {}, 1000);`);
    const { exit, pid } = await run(s, { deadlineMs: 300 });
    expect(exit).toMatchObject({ timedOut: true, signal: 'SIGTERM' });
    expect(alive(pid)).toBe(false);
  });

  it('has a separate boot deadline that ends when the guest proves it is up', async () => {
    const never = fake('noboot', `console.log('Probing EDD (edd=off to disable)... ok'); setInterval(() => {}, 1000);`);
    // Node itself takes a few hundred ms to start on a loaded host: deadlines leave room for it.
    const r1 = await run(never, { booted: (l) => l.includes('phase=init'), bootDeadlineMs: 2000 });
    expect(r1.exit).toMatchObject({ bootTimedOut: true, timedOut: false, bootMs: undefined });
    expect(r1.exit.consoleTail).toContain('Probing EDD');
    expect(alive(r1.pid)).toBe(false);

    const boots = fake('boots', `console.log('phase=init'); setTimeout(() => process.exit(0), 2500);`);
    const r2 = await run(boots, { booted: (l) => l.includes('phase=init'), bootDeadlineMs: 2000 });
    expect(r2.exit).toMatchObject({ bootTimedOut: false, timedOut: false, code: 0 });
  });

  it('aborts through the signal, including one already aborted', async () => {
    const s = fake('abortme', `${IGNORE_TERM} setInterval(() => {}, 1000);`);
    const ac = new AbortController();
    const { exit, pid } = await run(s, {
      signal: ac.signal,
      onLine: (l) => l.startsWith('pid=') && setTimeout(() => ac.abort(), 100),
    });
    expect(exit).toMatchObject({ aborted: true, timedOut: false, signal: 'SIGKILL' });
    expect(exit.durationMs).toBeLessThan(3000);
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);

    const pre = await run(s, { signal: AbortSignal.abort() });
    expect(pre.exit.aborted).toBe(true);
  });

  it("kills QEMU at the guest's last line instead of waiting for its poweroff, and says so", async () => {
    // A guest that would take 20 s to power off after its last frame.
    const s = fake('lingers', `console.log('phase=done'); setTimeout(() => process.exit(0), 20000);`);
    const { exit, pid, lines } = await run(s, { finished: (l) => l.includes('phase=done') });
    expect(exit).toMatchObject({ stoppedAtEnd: true, signal: 'SIGKILL', timedOut: false, aborted: false });
    expect(exit.durationMs).toBeLessThan(5000);
    expect(lines).toContain('phase=done');
    expect(alive(pid)).toBe(false);
    // Without the last line nothing is stopped early.
    const quick = fake('quick', `console.log('phase=init'); setTimeout(() => process.exit(0), 100);`);
    expect((await run(quick, { finished: (l) => l.includes('phase=done') })).exit).toMatchObject({
      stoppedAtEnd: false,
      code: 0,
    });
  });

  it('keeps a bounded tail of the console', async () => {
    const s = fake('chatty', `for (let i = 0; i < 1000; i++) console.log('line ' + i);`);
    const { exit, log } = await run(s);
    const tail = exit.consoleTail.split('\n');
    expect(tail).toHaveLength(60);
    expect(tail.at(-1)).toBe('line 999');
    expect(log.split('\n')).toHaveLength(1002); // pid line + 1000 + final empty
  });

  it('names the apt package when the QEMU binary is missing', async () => {
    const exit = await runVm({
      binary: '/nonexistent/qemu-system-s390x',
      args: [],
      env: process.env,
      consoleLog: path.join(dir, 'missing.log'),
      deadlineMs: 1000,
      bootDeadlineMs: 1000,
    });
    expect(exit.spawnError).toBe('/nonexistent/qemu-system-s390x not found; install it with: sudo apt-get install qemu-system-misc');
    expect(liveVmCount()).toBe(0);
  });
});

/** A portmatrix stand-in (driver.ts) running one fake VM that ignores SIGTERM; resolves with both processes. */
async function startDriver(name: string, reaper: boolean) {
  const stubborn = fake(name, `${IGNORE_TERM} setInterval(() => {}, 1000);`);
  const driver = path.join(dir, `${name}-driver.ts`);
  const processTs = path.resolve('src/vm/process.ts');
  writeFileSync(
    driver,
    `import { installReaper, runVm } from ${JSON.stringify(processTs)};
${reaper ? 'installReaper(); installReaper();' : ''}
void runVm({ binary: process.execPath, args: [${JSON.stringify(stubborn)}], consoleLog: ${JSON.stringify(path.join(dir, `${name}.log`))},
  deadlineMs: 60000, bootDeadlineMs: 60000, env: process.env, onLine: (l) => console.log(l) });`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', driver], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const pid = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /pid=(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error(`driver exited early: ${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { child, pid, exited };
}

describe('installReaper', () => {
  it('kills live VMs when portmatrix gets SIGINT, and exits 130', async () => {
    const { child, pid, exited } = await startDriver('reaped', true);
    expect(alive(pid)).toBe(true);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    await new Promise((r) => setTimeout(r, 100)); // let the kernel reap the orphan
    expect(alive(pid)).toBe(false);
  });

  // No handler runs on SIGKILL: the kernel's parent-death signal (setpriv --pdeathsig) does it.
  it('a VM dies with a SIGKILLed portmatrix', async () => {
    const { child, pid, exited } = await startDriver('orphan', false);
    expect(alive(pid)).toBe(true);
    child.kill('SIGKILL');
    await exited;
    await new Promise((r) => setTimeout(r, 200));
    const survived = alive(pid);
    if (survived) process.kill(pid, 'SIGKILL'); // a failing run leaves nothing behind either
    expect(survived).toBe(false);
  });
});
