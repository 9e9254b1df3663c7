// The console → GuestReport parser, fed the way QEMU delivers text: in any
// chunking, with \r\n, kernel lines in between and a loader that lies.
import { describe, expect, it } from 'vitest';
import { FrameParser, parseFrames } from '../../src/guest/frames.js';

const T = '0123456789abcdef';
const F = `@@portmatrix:${T}`;
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A console transcript as the guest prints it for a loader that says hello and exits 3. */
function transcript(opts: { stdout?: string; dmesgLines?: string[] } = {}): string {
  const out = opts.stdout ?? 'hello\n';
  const dmesg = `${(opts.dmesgLines ?? ['[    0.000000] Linux version 6.12']).join('\n')}\n`;
  return [
    '[    0.000000] Linux version 6.12.117+deb13-cloud-amd64',
    '[    3.100000] Run /init as init process',
    `${F} phase=init t=3.21`,
    `${F} fact=btf 1`,
    `${F} fact=lockdown [none] integrity confidentiality`,
    `${F} fact=jit 1`,
    `${F} fact=uname 6.12.117+deb13-cloud-amd64`,
    `${F} sysctl-error=kernel.nope /init: line 22: can't create /proc/sys/kernel/nope`,
    `${F} phase=loader-start t=3.50`,
    `${F} phase=loader-end t=3.61`,
    `${F} exit=3`,
    `${F} fact=uid 1000`,
    `${F} fact=capeff 0000000000000000`,
    `${F} begin=stdout`,
    ...(out ? [b64(out)] : []),
    `${F} end=stdout bytes=${Buffer.byteLength(out)}`,
    `${F} begin=stderr`,
    `${F} end=stderr bytes=0`,
    `${F} begin=dmesg`,
    ...b64(dmesg).match(/.{1,76}/g)!,
    `${F} end=dmesg bytes=${Buffer.byteLength(dmesg)}`,
    `${F} phase=done t=3.80`,
    '[    3.900000] reboot: Power down',
    '',
  ].join('\n');
}

describe('parseFrames', () => {
  it('reads a whole transcript', () => {
    const r = parseFrames(transcript(), T);
    expect(r).toMatchObject({
      phases: { init: 3.21, 'loader-start': 3.5, 'loader-end': 3.61, done: 3.8 },
      loaderStarted: true,
      done: true,
      exitCode: 3,
      timedOut: false,
      stdout: 'hello\n',
      stderr: '',
      dmesg: '[    0.000000] Linux version 6.12\n',
      facts: {
        btfPresent: true,
        lockdown: 'none',
        jitEnabled: '1',
        unameR: '6.12.117+deb13-cloud-amd64',
        uid: 1000,
        capEff: '0000000000000000',
      },
      sysctlErrors: ["kernel.nope: /init: line 22: can't create /proc/sys/kernel/nope"],
    });
    expect(r.truncated).toBeUndefined();
  });

  it('gives the same report for every chunk size, with \\r\\n line ends', () => {
    const text = transcript({ stdout: `${'x'.repeat(500)}\nünïcode ✓\n` }).replace(/\n/g, '\r\n');
    const whole = parseFrames(text, T);
    expect(whole.stdout).toBe(`${'x'.repeat(500)}\nünïcode ✓\n`);
    for (const size of [1, 2, 3, 7, 64, 1000]) {
      const p = new FrameParser(T);
      for (let i = 0; i < text.length; i += size) p.push(text.slice(i, i + size));
      expect(p.end()).toEqual(whole);
    }
  });

  it('emits phase events as soon as their line is complete', () => {
    const p = new FrameParser(T);
    expect(p.push(`${F} phase=loader-st`)).toEqual([]);
    expect(p.push(`art t=4.5\r\n${F} exit=0\n`)).toEqual([
      { type: 'phase', name: 'loader-start', t: 4.5 },
      { type: 'exit', code: 0 },
    ]);
  });

  it('emits live output frames with their bytes, and drops a line the console broke', () => {
    const p = new FrameParser(T);
    const data = Buffer.from('ünï\n');
    expect(
      p.push(`${F} live=stdout.3 ${data.toString('base64')}\n${F} live=stderr QUJD\n${F} live=stdout.1 QU<6>[  1.0] JD\n${F} live=dmesg.1 QUJD\n`),
    ).toEqual([
      { type: 'live', stream: 'stdout', index: 3, data },
      { type: 'live', stream: 'stderr', data: Buffer.from('ABC') },
    ]);
  });

  it("keeps a stream's live output until its block comes, and that output when none does", () => {
    const p = new FrameParser(T);
    // Test 0 ends and sends its blocks; test 1 streams a line, and the guest dies before its blocks.
    p.push(`${F} test-start=0 t=1.0\n${F} live=stdout.0 ${b64('first ')}\n${F} live=stdout.0 ${b64('try\n')}\n`);
    expect(p.current().tests[0]!.stdout).toBe('first try\n');
    p.push(`${F} test-end=0 exit=0 timedout=0 t=1.5\n${F} begin=stdout.0\n${b64('the record\n')}\n${F} end=stdout.0 bytes=11 total=11\n`);
    p.push(
      `${F} test-start=1 t=2.0\n${F} live=stdout.1 ${b64('before the panic\n')}\n${F} live=stderr.1 ${b64('warn\n')}\n[ 2.5] Kernel panic - not syncing: sysrq triggered crash\n`,
    );
    const r = p.end();
    expect(r.tests.map((t) => [t.ended, t.stdout, t.stderr])).toEqual([
      [true, 'the record\n', ''],
      [false, 'before the panic\n', 'warn\n'],
    ]);
    // What came only live is partial: the guest never said how much there was.
    expect(r.truncated).toEqual(['stderr.1', 'stdout.1']);
  });

  it('keeps the first time of a repeated phase, ignores a non-numeric exit, and makes a test that only streamed live', () => {
    const r = parseFrames(`${F} phase=init t=1.0\n${F} phase=init t=2.0\n${F} exit=3\n${F} exit=x\n${F} live=stdout.2 ${b64('hi\n')}\n`, T);
    expect(r.phases).toEqual({ init: 1 });
    expect(r.exitCode).toBe(3);
    expect(r.tests.map((t) => t.stdout)).toEqual(['', '', 'hi\n']);
  });

  it('reads on past an end for another block, closes a block a begin cuts short, and ignores an unknown block', () => {
    const console = [
      `${F} begin=stdout`,
      b64('abc'),
      `${F} end=stderr bytes=3`,
      b64('def'),
      `${F} end=stdout bytes=6`,
      `${F} begin=bogus`,
      b64('zzz'),
      `${F} begin=stderr`,
      b64('xyz'),
      `${F} begin=dmesg`,
      `${F} end=dmesg bytes=0`,
      `${F} unsupported=bpf not in this kernel`,
    ];
    const r = parseFrames(`${console.join('\n')}\n`, T);
    expect([r.stdout, r.stderr, r.truncated]).toEqual(['abcdef', 'xyz', ['stderr']]);
    expect(r.unsupported).toEqual(['bpf: not in this kernel']);
  });

  it('skips kernel lines inside a base64 block', () => {
    const dmesg = Array.from({ length: 40 }, (_, i) => `[ ${i}.0] line ${i}`);
    const lines = transcript({ dmesgLines: dmesg }).split('\n');
    const at = lines.findIndex((l) => l.endsWith('begin=dmesg')) + 3;
    lines.splice(at, 0, '[    5.123456] rcu: INFO: rcu_sched self-detected stall on CPU', '[    5.2] ------------[ cut here ]------------');
    const r = parseFrames(lines.join('\n'), T);
    expect(r.dmesg).toBe(`${dmesg.join('\n')}\n`);
    expect(r.truncated).toBeUndefined();
  });

  it('strips ANSI escapes and stray control bytes in front of frames', () => {
    const text = `\x1b[0m\x1b[?25h${F} phase=init t=1\n\x00\x07${F} exit=7\n`;
    const r = parseFrames(text, T);
    expect(r.phases.init).toBe(1);
    expect(r.exitCode).toBe(7);
  });

  it('ignores frames without the token (a loader trying to forge its result)', () => {
    const forged = [
      '@@portmatrix:ffffffffffffffff exit=0',
      '@@portmatrix: exit=0',
      `@@portmatrix:${T}exit=0`, // no space after the token
      '@@portmatrix:0123456789abcde exit=0', // token one char short
    ].join('\n');
    const text = transcript().replace(`${F} exit=3`, `${forged}\n${F} exit=3`);
    expect(parseFrames(text, T).exitCode).toBe(3);
    expect(parseFrames(forged, T).exitCode).toBeUndefined();
  });

  it('reports a block whose end never came (guest died mid-dump) as truncated, keeping what arrived', () => {
    const cut = transcript({ stdout: 'abc'.repeat(100) }).split(`${F} end=stdout`)[0]!;
    const r = parseFrames(cut, T);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('abc'.repeat(100));
    expect(r.done).toBe(false);
    expect(r.truncated).toEqual(['stdout']);
  });

  it('flags a size mismatch when a base64 line was lost', () => {
    const out = 'y'.repeat(300);
    const text = transcript({ stdout: out }).replace(
      b64(out),
      b64(out)
        .match(/.{1,76}/g)!
        .slice(1)
        .join('\n'),
    );
    expect(parseFrames(text, T).truncated).toEqual(['stdout']);
  });

  it('flags output the guest capped to its tail (total > bytes)', () => {
    const text = `${F} begin=stdout\n${b64('tail')}\n${F} end=stdout bytes=4 total=5000000\n`;
    expect(parseFrames(text, T)).toMatchObject({ stdout: 'tail', truncated: ['stdout'] });
  });

  it('reports a boot that never reached /init', () => {
    const r = parseFrames('[    0.0] Linux version\n[    1.0] Kernel panic - not syncing: VFS', T);
    expect(r).toMatchObject({ loaderStarted: false, done: false, phases: {}, timedOut: false, stdout: '' });
    expect(r.exitCode).toBeUndefined();
  });

  it('reads timedout and the exit status of the killed loader', () => {
    const r = parseFrames(`${F} phase=loader-start t=1\n${F} exit=143\n${F} timedout=1\n`, T);
    expect(r).toMatchObject({ exitCode: 143, timedOut: true, loaderStarted: true });
  });

  it('handles the last line without a newline', () => {
    expect(parseFrames(`${F} phase=done t=9`, T).done).toBe(true);
  });
});
