// `portmatrix shell` without a VM: what of the console the user sees, the guest's
// script, and the errors before anything boots.

import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { ALIASES, scriptName, shellScript, TESTS_DIR } from '../../src/guest/shell-script.js';
import { stepOf } from '../../src/guest/test-steps.js';
import { consoleView } from '../../src/shell/console-view.js';
import { devBusybox } from '../helpers/dev-kernels.js';

const T = '0123456789abcdef';

describe('consoleView', () => {
  it('shows what comes between the shell frame and the next frame, marker split across chunks', () => {
    let shown = '';
    const view = consoleView(T, (t) => (shown += t), { plain: true });
    const chunks = ['[ 1.0] boot\r\n@@portmatrix:0123', '456789abcdef phase=shell\r\nhi\r\n/tmp # ', 'ls\r\n@@portm', `atrix:${T} shell-exit=4\r\n`];
    for (const chunk of chunks) view.push(chunk);
    expect(shown).toBe('hi\n/tmp # ls\n');
    expect(view.exitCode()).toBe(4);
  });

  it('keeps carriage returns for a terminal and has no exit code before the frame', () => {
    let shown = '';
    const view = consoleView(T, (t) => (shown += t), { plain: false });
    view.push(`@@portmatrix:${T} phase=shell\r\n/tmp # `);
    expect(shown).toBe('/tmp # ');
    expect(view.exitCode()).toBeUndefined();
  });
});

describe('consoleView with the kernel log', () => {
  const K = `@@portmatrix:${T} kmsg `;

  it('shows each kernel record on its own line, marked, made plain, split across chunks', () => {
    let shown = '';
    const view = consoleView(T, (t) => (shown += t), { plain: true });
    const start = `@@portmatrix:${T} phase=shell\r\n/tmp # `;
    const chunks = [start, K.slice(0, 20), `${K.slice(20)}hello \x1b[31mred`, '\r\n', 'ls\r\n'];
    for (const chunk of chunks) view.push(chunk);
    view.push(`${K}second\r\n@@portmatrix:${T} shell-exit=0\r\n`);
    expect(shown).toBe('/tmp # \n[kernel] hello red\nls\n[kernel] second\n');
    expect(view.exitCode()).toBe(0);
  });

  it('colours the kernel lines on a terminal', () => {
    let shown = '';
    const view = consoleView(T, (t) => (shown += t), { plain: false, color: true });
    view.push(`@@portmatrix:${T} phase=shell\r\n${K}oops\r\n/tmp # `);
    expect(shown).toBe('\x1b[2;33m[kernel] oops\x1b[0m\r\n/tmp # ');
  });
});

describe('shellScript', () => {
  const spec = { name: 'map test/1', path: '/p/loader', kind: 'exec', args: ['-v'], env: { A: 'b' } };
  Object.assign(spec, { files: [], workdir: '', timeoutSec: 30 });
  const tests = [{ name: spec.name, step: stepOf(spec as never, 0) }];

  it('writes each test as a script named after it, as the cell user, then the command', () => {
    const o = { token: T, cellId: 'arm64/x/default', tests, sysctl: {}, user: 'nobody', command: 'id' };
    const script = shellScript(o);
    expect(scriptName('map test/1')).toBe('map_test_1');
    expect(script).toContain('> /portmatrix/tests/map_test_1');
    expect(script).toContain(`user='$user' uid='$uid'`);
    expect(script).toContain(`'\\''A=b'\\'' su -p -s /bin/sh -c`);
    expect(script).toContain(`sh -c '. ${ALIASES}\nid'\npm_exit=$?\nframe shell-exit=$pm_exit`);
    expect(script).not.toContain('sh -i');
  });

  it('--kernel-log: follows /dev/kmsg from the shell start, drained before the exit is framed', () => {
    const script = shellScript({ token: T, cellId: 'c', tests, sysctl: {}, command: 'id', kernelLog: true });
    const lines = script.split('\n');
    const at = (text: string) => lines.findIndex((l) => l.includes(text));
    expect(at("echo '<7>portmatrix: the shell starts' > /dev/kmsg")).toBeLessThan(at('cat /dev/kmsg |'));
    expect(script).toContain(`printf '@@portmatrix:${T} kmsg %s\\n' "\${r#*;}"`);
    // The pipe closed, then one more record: cat's next write ends it, so `wait` returns.
    expect(script).toContain("exec 0<&-; echo '<7>portmatrix: the kernel log follower stops' > /dev/kmsg; } &");
    expect(at(`sh -c '. ${ALIASES}`)).toBeGreaterThan(0);
    expect(at(`sh -c '. ${ALIASES}`)).toBeLessThan(at("echo '<7>portmatrix: the shell ended'"));
    expect(at('wait $pm_klog')).toBeLessThan(at('frame shell-exit=$pm_exit'));
    expect(shellScript({ token: T, cellId: 'c', tests, sysctl: {}, command: 'id' })).not.toContain('/dev/kmsg');
  });

  it('a test named like a busybox applet runs the test, not the applet (the guest busybox sh)', async () => {
    const busybox = await devBusybox('amd64');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-shell-alias-'));
    const id = { name: 'id', step: stepOf({ ...spec, name: 'id' } as never, 0) };
    const script = shellScript({ token: T, cellId: 'c', tests: [id], sysctl: {}, command: 'id' });
    // The lines that write the tests' scripts and aliases, and the command, moved into a temp dir.
    const lines = script.split('\n').filter((l) => l.includes(TESTS_DIR) && !l.startsWith('mkdir'));
    const setup = lines.filter((l) => !l.startsWith('sh -c')).map((l) => l.replaceAll(TESTS_DIR, dir));
    expect(spawnSync(busybox, ['sh', '-c', setup.join('\n')], { argv0: 'busybox' }).status).toBe(0);
    await writeFile(path.join(dir, 'id'), '#!/bin/sh\necho "the test named id"\n');
    const run = (command: string) =>
      spawnSync(busybox, ['sh', '-c', command], { argv0: 'busybox', env: { PATH: `${dir}:/usr/bin:/bin` }, encoding: 'utf8' }).stdout;
    // busybox prefers its applet to the script first on PATH ...
    expect(run('id')).toMatch(/^uid=/);
    // ... and the alias the shell reads first wins over the applet.
    expect(script).toContain(`sh -c '. ${ALIASES}\nid'`);
    expect(run(`. ${dir}/.aliases\nid`)).toBe('the test named id\n');
    expect(script).toContain(`ENV=${ALIASES}`);
  });

  it('an interactive shell on the console when there is no command', () => {
    const size = { rows: 50, columns: 150 };
    const script = shellScript({ token: T, cellId: 'c', tests, sysctl: { 'kernel.x': '1' }, size });
    expect(script).toContain('stty rows 50 cols 150');
    expect(script).toContain('setsid cttyhack sh -i');
    expect(script).toContain('/proc/sys/kernel/x');
  });
});

async function project(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-shell-unit-'));
  await writeFile(path.join(dir, 't.sh'), '#!/bin/sh\necho hi\n');
  await chmod(path.join(dir, 't.sh'), 0o755);
  const matrix = 'kernels: [debian:trixie]\narches: [amd64, arm64]\nloader:\n  path: ./t.sh\n';
  await writeFile(path.join(dir, 'matrix.yaml'), matrix);
  return dir;
}

async function shell(args: string[], dir: string) {
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d) => (err += d));
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  const signal = new AbortController().signal;
  const code = await main(['shell', ...args], { cwd: dir, stdout: new PassThrough().resume(), stderr, stdin, signal });
  return { code, err };
}

describe('portmatrix shell, errors before a boot', () => {
  it('no match, several matches, no terminal', async () => {
    const dir = await project();
    const none = await shell(['mips', '--command', 'true'], dir);
    expect(none.code).toBe(2);
    expect(none.err).toContain('no cell matches mips; the cells are (portmatrix plan):\n  amd64/debian-trixie/default');
    const several = await shell(['a', '--command', 'true'], dir);
    const both = '  amd64/debian-trixie/default\n  arm64/debian-trixie/default';
    expect(several.err).toContain(`2 cells match a; name one of them:\n${both}`);
    const tty = await shell(['arm64'], dir);
    expect(tty.code).toBe(2);
    expect(tty.err).toContain("needs a terminal (stdin is not one); run one command with --command 'CMD'");
  });
});
