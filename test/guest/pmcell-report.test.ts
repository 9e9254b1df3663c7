// `pmcell report`, the amd64 build run on this host: the blocks a suite test's output
// becomes, parsed back by the host's frame parser. It runs as nobody (setpriv), so its
// read of the kernel log is refused and the host's log is neither read nor cleared:
// what it does with a log is checked in the guest (test/run/suite.vm.test.ts).

import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pmcellModes } from '../../src/guest/base-image.js';
import { FrameParser, parseFrames } from '../../src/guest/frames.js';
import { cellHelperPath } from '../../src/guest/initramfs.js';

const TOKEN = 'feedfacefeedface';
const dir = mkdtempSync(path.join(tmpdir(), 'pm-report-'));
chmodSync(dir, 0o777);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `pmcell report 0 1` as nobody in `dir`; its stdout (fd 1) is what the host would read. */
function report(env: Record<string, string>): string {
  const pmcell = cellHelperPath('amd64');
  return execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', pmcell, 'report', '0', '1'], {
    env: { PM_F: `@@portmatrix:${TOKEN}`, PM_OUT: dir, ...env },
    encoding: 'utf8',
  });
}

describe('pmcell report', () => {
  it('is what the host looks for in the binary', () => {
    expect(pmcellModes(readFileSync(cellHelperPath('amd64')))).toEqual({ staged: true, report: true, btf: true, follow: true });
    expect(pmcellModes(Buffer.from('\x7fELF … PMST1 …'))).toEqual({ staged: true, report: false, btf: false, follow: false });
  });

  it('sends each output file whole under its cap, and only the tail over it, with both sizes', () => {
    const out = Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(4, '0')}\n`).join('');
    writeFileSync(path.join(dir, 'stdout.0'), out);
    writeFileSync(path.join(dir, 'stderr.0'), 'one line\n');
    const text = report({ PM_OUTMAX: '300', PM_DMESGMAX: '100' });
    // base64 in lines of 76 characters, as busybox writes it.
    expect(text.split('\n').filter((l) => !l.startsWith('@@')).every((l) => l.length <= 76)).toBe(true);
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
      writeFileSync(path.join(dir, 'stdout.0'), data);
      writeFileSync(path.join(dir, 'stderr.0'), '');
      const text = report({ PM_OUTMAX: '1048576', PM_DMESGMAX: '100' });
      const lines = text.split('\n');
      const b64 = lines.slice(lines.findIndex((l) => l.endsWith('begin=stdout.0')) + 1, lines.findIndex((l) => l.includes('end=stdout.0'))).join('');
      expect(Buffer.from(b64, 'base64').equals(data)).toBe(true);
      expect(b64).toBe(data.toString('base64'));
    }
  });
});

describe('pmcell follow', () => {
  it("streams what a program appends to its files while it runs, every byte once, and ends once it is reaped", async () => {
    const out = path.join(dir, 'follow.out');
    const err = path.join(dir, 'follow.err');
    const tail = randomBytes(200); // binary, over several 57-byte frames
    // The program writes, pauses, writes again; the follower must have sent the first part before the second is written.
    const program = spawn('sh', ['-c', `echo first; sleep 1; echo second >&2; sleep 1; cat "$0"`, path.join(dir, 'follow.tail')], { stdio: ['ignore', openSync(out, 'w'), openSync(err, 'w')] });
    writeFileSync(path.join(dir, 'follow.tail'), tail);
    const follower = spawn(cellHelperPath('amd64'), ['follow', String(program.pid), 'stdout.2', out, 'stderr.2', err], { env: { PM_F: `@@portmatrix:${TOKEN}` } });
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
});
