// pmcell's modes, the amd64 build run on this host as nobody (setpriv), so its read of
// the kernel log is refused and the host's log is neither read nor cleared (what it
// does with a log is checked in the guest, test/run/suite.vm.test.ts), and it can signal
// nothing but what it started. Its output is parsed back by the host's frame parser:
//   run     one suite test: its process, environment, timeout, end frame, and the
//           report of its output in blocks
//   follow  a program's output as it is written (run --verbose)

import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FrameParser, parseFrames } from '../../src/guest/frames.js';
import { cellHelperPath } from '../../src/guest/initramfs.js';

const TOKEN = 'feedfacefeedface';
const dir = mkdtempSync(path.join(tmpdir(), 'pm-report-'));
chmodSync(dir, 0o777);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// pmcell's own stdin: a file, not a pipe, so a run that ends before reading it (none
// does read it) cannot fail the write with EPIPE.
const stdinFile = path.join(dir, 'stdin');
writeFileSync(stdinFile, 'stdin is not for the test\n');

/** The bytes of a file in `dir`, printed by a test run through `pmcell run` (the report at its end). */
function printed(name: string, data: string | Buffer, outMax: number): string {
  writeFileSync(path.join(dir, name), data);
  return runTest(0, 10, ['PATH=/usr/bin:/bin', '--', 'sh', '-c', `cat ${name}; echo "one line" >&2`], {
    PM_OUTMAX: String(outMax),
  }).text;
}

describe("pmcell run's report", () => {
  it('sends each output file whole under its cap, and only the tail over it, with both sizes', () => {
    const out = Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(4, '0')}\n`).join('');
    const text = printed('lines', out, 300);
    // base64 in lines of 76 characters, as busybox writes it.
    expect(
      text
        .split('\n')
        .filter((l) => !l.startsWith('@@'))
        .every((l) => l.length <= 76),
    ).toBe(true);
    const parsed = parseFrames(text, TOKEN);
    expect(out.length).toBe(1000);
    expect(parsed.tests[0]).toMatchObject({ stdout: out.slice(700), stderr: 'one line\n', dmesg: '' });
    expect(parsed.truncated).toEqual(['stdout.0']);
    expect(text).toContain(`@@portmatrix:${TOKEN} end=stdout.0 bytes=300 total=1000\n`);
    expect(text).toContain(`@@portmatrix:${TOKEN} end=stderr.0 bytes=9 total=9\n`);
  });

  it('encodes every length of a last line, padding included', () => {
    for (const n of [1, 2, 3, 56, 57, 58, 114]) {
      const data = randomBytes(n);
      const text = printed('bytes', data, 1048576);
      const lines = text.split('\n');
      const b64 = lines
        .slice(
          lines.findIndex((l) => l.endsWith('begin=stdout.0')) + 1,
          lines.findIndex((l) => l.includes('end=stdout.0')),
        )
        .join('');
      expect(Buffer.from(b64, 'base64').equals(data)).toBe(true);
      expect(b64).toBe(data.toString('base64'));
    }
  });
});

describe('pmcell follow', () => {
  it('streams what a program appends to its files while it runs, every byte once, and ends once it is reaped', async () => {
    const out = path.join(dir, 'follow.out');
    const err = path.join(dir, 'follow.err');
    const tail = randomBytes(200); // binary, over several 57-byte frames
    // The program writes, pauses, writes again; the follower must have sent the first part before the second is written.
    const program = spawn('sh', ['-c', `echo first; sleep 1; echo second >&2; sleep 1; cat "$0"`, path.join(dir, 'follow.tail')], {
      stdio: ['ignore', openSync(out, 'w'), openSync(err, 'w')],
    });
    writeFileSync(path.join(dir, 'follow.tail'), tail);
    const follower = spawn(cellHelperPath('amd64'), ['follow', String(program.pid), '3', 'stdout.2', out, 'stderr.2', err], {
      env: { PM_F: `@@portmatrix:${TOKEN}`, PM_FOLLOW: '1' },
    });
    const parser = new FrameParser(TOKEN);
    const got: { stream: string; data: Buffer; at: number }[] = [];
    follower.stdout.on('data', (d: Buffer) => {
      for (const e of parser.push(d.toString('latin1'))) if (e.type === 'live') got.push({ stream: `${e.stream}.${e.index}`, data: e.data, at: Date.now() });
    });
    const programEnd = await new Promise<number>((resolve) => program.on('exit', () => resolve(Date.now())));
    // Reaped now (node waits for its children): the follower makes its last read and ends.
    const code = await new Promise<number | null>((resolve) => follower.on('exit', resolve));
    expect(code).toBe(0);
    const joined = (stream: string) => Buffer.concat(got.filter((g) => g.stream === stream).map((g) => g.data));
    expect(joined('stdout.2').equals(Buffer.concat([Buffer.from('first\n'), tail]))).toBe(true);
    expect(joined('stderr.2').toString()).toBe('second\n');
    // Streamed, not read at the end: "first" came while the program still ran (it slept 2 s after it).
    expect(got[0]!.data.toString()).toBe('first\n');
    expect(got[0]!.at).toBeLessThan(programEnd - 1000);
  }, 20_000);

  it('without PM_FOLLOW sends the first PM_OUTMAX bytes on FD, and on SIGUSR1 makes its last read and ends', async () => {
    const out = path.join(dir, 'usr1.out');
    const port = path.join(dir, 'usr1.port');
    const program = spawn('sh', ['-c', 'echo abcdefgh; exec sleep 30'], {
      stdio: ['ignore', openSync(out, 'w'), 'ignore'],
    });
    const follower = spawn(cellHelperPath('amd64'), ['follow', String(program.pid), '3', 'stdout', out], {
      env: { PM_F: `@@portmatrix:${TOKEN}`, PM_OUTMAX: '4' },
      stdio: ['ignore', 'pipe', 'inherit', openSync(port, 'w')],
    });
    let onConsole = '';
    follower.stdout!.on('data', (d: Buffer) => (onConsole += d.toString()));
    await new Promise((r) => setTimeout(r, 500));
    const told = Date.now();
    follower.kill('SIGUSR1');
    const code = await new Promise<number | null>((resolve) => follower.on('exit', resolve));
    const ms = Date.now() - told;
    program.kill('SIGKILL');
    expect(code).toBe(0);
    // The program still runs: only the signal ended the follower.
    expect(ms).toBeLessThan(5000);
    expect(onConsole).toBe('');
    const live = new FrameParser(TOKEN).push(readFileSync(port, 'utf8')).flatMap((e) => (e.type === 'live' ? [e.data.toString()] : []));
    expect(live.join('')).toBe('abcd');
  }, 20_000);
});

/**
 * `pmcell run I TIMEOUT GRACE FD DIR WORDS…` as nobody in `dir` (PM_SWEEP unset: never on
 * the host); its stdout, parsed. FD is 1, the same stdout, unless `port` names a file:
 * then FD is 3, that file, as the inputs port is in the guest.
 */
function runTest(index: number, timeout: number, words: string[], env: Record<string, string> = {}, port?: string) {
  const started = Date.now();
  const stdin = openSync(stdinFile, 'r');
  const portFd = port === undefined ? undefined : openSync(port, 'w');
  try {
    const text = execFileSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        cellHelperPath('amd64'),
        'run',
        String(index),
        String(timeout),
        '1',
        portFd === undefined ? '1' : '3',
        dir,
        ...words,
      ],
      {
        env: { PM_F: `@@portmatrix:${TOKEN}`, PM_OUT: dir, PM_OUTMAX: '1048576', PM_DMESGMAX: '100', ...env },
        encoding: 'utf8',
        stdio: [stdin, 'pipe', 'pipe', ...(portFd === undefined ? [] : [portFd])],
      },
    );
    return { text, ms: Date.now() - started, test: parseFrames(text, TOKEN).tests[index]! };
  } finally {
    closeSync(stdin);
    if (portFd !== undefined) closeSync(portFd);
  }
}

describe('pmcell run', () => {
  it('runs the program in DIR with only the given environment, stdin empty, and frames its end and output', () => {
    const script = path.join(dir, 'env.sh');
    writeFileSync(script, '#!/bin/sh\npwd; env | sort; cat; echo "to stderr" >&2; exit 3\n');
    chmodSync(script, 0o755);
    const { test, text } = runTest(5, 10, ['FOO=a b', 'PATH=/usr/bin:/bin', '--', script]);
    expect(test).toMatchObject({ ended: true, exitCode: 3, timedOut: false, stderr: 'to stderr\n', dmesg: '' });
    // sh adds PWD, SHLVL and _ of its own; nothing of pmcell's environment (PM_*) reaches the test.
    expect(test.stdout.split('\n').filter((l) => !/^(PWD|SHLVL|_)=/.test(l))).toEqual([dir, 'FOO=a b', 'PATH=/usr/bin:/bin', '']);
    expect(text).toMatch(new RegExp(`^@@portmatrix:${TOKEN} test-end=5 exit=3 timedout=0 t=[0-9.]+$`, 'm'));
  });

  it('finds a program on the PATH given, reports 128 + the signal that ended it, and 127 for a program it cannot run', () => {
    expect(runTest(0, 10, ['PATH=/usr/bin:/bin', '--', 'sh', '-c', 'kill -9 $$']).test).toMatchObject({
      exitCode: 137,
      timedOut: false,
    });
    const missing = runTest(1, 10, ['PATH=/usr/bin:/bin', '--', 'no-such-program']).test;
    expect(missing).toMatchObject({ exitCode: 127, stderr: 'pmcell: cannot run no-such-program\n' });
  });

  it('at the timeout sends SIGTERM to the group, SIGKILL after the grace, and keeps what was printed', () => {
    // The group's second process ignores SIGTERM too: only the SIGKILL to the group ends it.
    const { test, ms } = runTest(2, 1, ['PATH=/usr/bin:/bin', '--', 'sh', '-c', 'trap "" TERM; echo before; sleep 30 & wait']);
    expect(test).toMatchObject({ exitCode: 137, timedOut: true, stdout: 'before\n' });
    expect(ms).toBeLessThan(10_000);
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toMatch(/^sleep 30$/m);
  });

  it('without PM_FOLLOW streams the first PM_OUTMAX bytes of each output on FD, not the console', () => {
    const port = path.join(dir, 'port');
    const { text } = runTest(4, 10, ['PATH=/usr/bin:/bin', '--', 'sh', '-c', 'echo 0123456789abcdef; echo warn >&2'], { PM_OUTMAX: '10' }, port);
    expect(text).not.toContain(' live=');
    const sent = readFileSync(port, 'utf8');
    const live = (stream: string) =>
      Buffer.concat(new FrameParser(TOKEN).push(sent).flatMap((e) => (e.type === 'live' && `${e.stream}.${e.index}` === stream ? [e.data] : []))).toString();
    expect([live('stdout.4'), live('stderr.4')]).toEqual(['0123456789', 'warn\n']);
    // They come before the blocks, which send the tail.
    expect(sent.indexOf(' live=stdout.4 ')).toBeLessThan(sent.indexOf(' begin=stdout.4'));
    expect(parseFrames(sent, TOKEN).tests[4]).toMatchObject({ stdout: '789abcdef\n', stderr: 'warn\n' });
  });

  it('with PM_FOLLOW=1 streams the output while the test runs', () => {
    const { text, test } = runTest(3, 10, ['PATH=/usr/bin:/bin', '--', 'sh', '-c', 'echo one; sleep 2; echo two'], {
      PM_FOLLOW: '1',
    });
    const p = new FrameParser(TOKEN);
    const live = p.push(text).filter((e) => e.type === 'live');
    expect(Buffer.concat(live.map((e) => (e as { data: Buffer }).data)).toString()).toBe('one\ntwo\n');
    // The first came before the second was written (2 s later, with a read every 0.1 s): two frames, before the end frame.
    expect(live.length).toBeGreaterThanOrEqual(2);
    expect(text.indexOf('live=stdout.3')).toBeLessThan(text.indexOf('test-end=3'));
    expect(test.stdout).toBe('one\ntwo\n');
  });
});
