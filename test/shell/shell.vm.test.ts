// `portmatrix shell` on a real kernel (Debian trixie, arm64 under TCG): a command
// through --command, then interactive sessions in tmux, as a user types them: in the
// default cell, and with --kernel-log in a cell whose tests run as another user.

import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';

/** A project of one test, `probe`, that says who it ran as and with which capabilities; `configs` as YAML. */
async function project(configs = ''): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-shell-'));
  const probe = '#!/bin/sh\necho "probe ran as $(id -u) in $(pwd) with $*"\ngrep CapEff /proc/self/status\n';
  await writeFile(path.join(dir, 'probe.sh'), probe);
  await chmod(path.join(dir, 'probe.sh'), 0o755);
  await useTestLock(dir);
  const tests = 'tests:\n  - {name: probe, path: ./probe.sh, args: [--fast]}\n';
  await writeFile(path.join(dir, 'matrix.yaml'), `kernels: [debian:trixie]\narches: [arm64]\n${configs}${tests}`);
  return dir;
}

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const SESSION = `pm-shell-test-${process.pid}`;

/** The pane's text, polled until `want` shows (or the deadline, then the text as it is). */
async function paneShows(want: RegExp, ms: number): Promise<string> {
  const end = Date.now() + ms;
  let text = '';
  while (Date.now() < end) {
    text = tmux('capture-pane', '-p', '-t', SESSION);
    if (want.test(text)) return text;
    await sleep(250);
  }
  return text;
}

/** QEMU processes of one portmatrix process: their sockets are under its pid's scratch dir. */
function qemusOf(pid: string): string {
  try {
    return execFileSync('pgrep', ['-fa', `portmatrix-${pid}-`], { encoding: 'utf8' });
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
}

describe('portmatrix shell', () => {
  afterAll(() => {
    try {
      tmux('kill-session', '-t', SESSION);
    } catch {
      // the session was never made
    }
  });

  it('--command runs in the cell and exits with its code; tests run by name', async () => {
    const dir = await project();
    const uname = await runCli(['shell', 'arm64', '--command', 'uname -m'], { cwd: dir });
    expect(uname.code, uname.stderr).toBe(0);
    expect(uname.stdout).toContain('portmatrix shell: arm64/debian-trixie/default (kernel 6.12');
    expect(uname.stdout).toContain('  probe: /portmatrix/bin/0/probe.sh --fast');
    expect(uname.stdout.trimEnd().split('\n').at(-1)).toBe('aarch64');
    const probe = await runCli(['shell', 'arm64/debian', '--command', 'probe; exit 5'], { cwd: dir });
    expect(probe.code, probe.stderr).toBe(5);
    expect(probe.stdout).toContain('probe ran as 0 in /portmatrix/t/0 with --fast');
  }, 300_000);

  /** `portmatrix shell arm64 [flags]` in a fresh tmux session, up to its prompt; the CLI's pid. */
  async function enter(dir: string, ...flags: string[]): Promise<string> {
    const pidFile = path.join(dir, 'pid');
    const tsx = import.meta.resolve('tsx');
    const entry = path.join(repoRoot, 'test/helpers/cli-entry.ts');
    const cli = `node --import ${tsx} ${entry} shell arm64 ${flags.join(' ')}`;
    // The pane stays after the CLI ends, with its exit code to read.
    const run = `cd ${dir} && echo $$ > ${pidFile} && exec sh -c '${cli}; echo "portmatrix exited $?"; sleep 600'`;
    tmux('new-session', '-d', '-s', SESSION, '-x', '150', '-y', '50', run);
    const entered = await paneShows(/^\/tmp #\s*$/m, 240_000);
    expect(entered).toMatch(/^\/tmp #\s*$/m);
    expect(entered).toContain('  probe: /portmatrix/bin/0/probe.sh --fast');
    // portmatrix is the pane shell's child; its QEMU runs while the shell does.
    const shellPid = (await readFile(pidFile, 'utf8')).trim();
    const pid = execFileSync('pgrep', ['-P', shellPid], { encoding: 'utf8' }).trim();
    expect(qemusOf(pid)).toContain('qemu-system-aarch64');
    return pid;
  }

  it('an interactive session in tmux: uname -m, a test by name, exit, no QEMU left', async () => {
    const dir = await project();
    const pid = await enter(dir);
    // The pane's size (150x50) is the guest tty's.
    tmux('send-keys', '-t', SESSION, 'stty size', 'Enter');
    expect(await paneShows(/^50 150\s*$/m, 30_000)).toMatch(/^50 150\s*$/m);
    tmux('send-keys', '-t', SESSION, 'uname -m', 'Enter');
    expect(await paneShows(/^aarch64$/m, 30_000)).toMatch(/^aarch64$/m);
    tmux('send-keys', '-t', SESSION, 'probe', 'Enter');
    expect(await paneShows(/probe ran as 0/, 30_000)).toContain('probe ran as 0 in /portmatrix/t/0 with --fast');
    // The shell read the tests' aliases, which beat busybox's applets of the same name.
    tmux('send-keys', '-t', SESSION, 'alias probe', 'Enter');
    expect(await paneShows(/^probe='\/portmatrix\/tests\/probe'/m, 30_000)).toMatch(/^probe='\/portmatrix\/tests\/probe'/m);
    tmux('send-keys', '-t', SESSION, 'exit', 'Enter');
    expect(await paneShows(/portmatrix exited/, 30_000)).toContain('portmatrix exited 0');
    expect(qemusOf(pid)).toBe('');
    tmux('kill-session', '-t', SESSION);
  }, 300_000);

  it("--kernel-log, nonroot cell: a test runs with the cell's uid and capabilities; kernel lines show", async () => {
    const dir = await project('configs:\n  - {name: nonroot, user: nobody, capabilities: [bpf, perfmon]}\n');
    const pid = await enter(dir, '--kernel-log');
    tmux('send-keys', '-t', SESSION, 'probe', 'Enter');
    // nobody is made uid 1001 in the guest; bpf (39) and perfmon (38) are its only capabilities.
    const probe = await paneShows(/CapEff/, 30_000);
    expect(probe).toContain('probe ran as 1001 in /portmatrix/t/0 with --fast');
    expect(probe).toMatch(/^CapEff:\s+000000c000000000\s*$/m);
    // The shell is root's: it may write the kernel log, which comes back marked.
    tmux('send-keys', '-t', SESSION, 'echo hello-from-the-shell > /dev/kmsg', 'Enter');
    const kernelLine = /^\[kernel\] hello-from-the-shell\s*$/m;
    expect(await paneShows(kernelLine, 30_000)).toMatch(kernelLine);
    tmux('send-keys', '-t', SESSION, 'exit', 'Enter');
    expect(await paneShows(/portmatrix exited/, 30_000)).toContain('portmatrix exited 0');
    expect(qemusOf(pid)).toBe('');
    tmux('kill-session', '-t', SESSION);
  }, 300_000);

  it('Ctrl-] on the host stops the VM', async () => {
    const pid = await enter(await project());
    tmux('send-keys', '-t', SESSION, 'C-]');
    expect(await paneShows(/portmatrix exited/, 30_000)).toContain('portmatrix exited 0');
    expect(qemusOf(pid)).toBe('');
  }, 300_000);
});
