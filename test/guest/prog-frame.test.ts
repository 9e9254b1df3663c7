// The `prog=<i>` frames pmcell run sends for each BPF program a test loaded, read back
// by the frame parser: what a kernel gives is kept; a hostile guest's frames (names
// with markup or spaces, numbers past a u32, endless programs, the same id again) are
// dropped or bounded, never passed on.
import { describe, expect, it } from 'vitest';
import { parseFrames } from '../../src/guest/frames.js';
import { MAX_PROGRAMS, parseProgFrame, progTypeName } from '../../src/guest/prog-frame.js';

const T = '0123456789abcdef';
const F = `@@portmatrix:${T}`;
const [START, END] = [`${F} test-start=0 t=1.00`, `${F} test-end=0 exit=0 timedout=0 t=2.00`];
const console_ = (...lines: string[]) => `${[START, ...lines, END].join('\n')}\n`;

describe('prog frames', () => {
  it("keeps each program a test loaded: name, type's name, verified instructions", () => {
    const report = parseFrames(
      console_(
        `${F} prog=0 id=41 type=26 insns=1234 name=execsnoop_ent`,
        // Split by the serial line's \r and a kernel line in between: still one frame each.
        '[    1.500000] audit: type=1334 audit(0.0:9): prog-id=42 op=LOAD\r',
        `${F} prog=0 id=42 type=5 insns=? name=tp_exit\r`,
        `${F} prog=0 id=43 type=99 insns=0 name=`,
      ),
      T,
    );
    expect(report.tests[0]!.programs).toEqual([
      { id: 41, name: 'execsnoop_ent', type: 'tracing', verifiedInsns: 1234 },
      // `?`: a kernel before 5.16 has no verified_insns; 0: it did not count. Both unknown.
      { id: 42, name: 'tp_exit', type: 'tracepoint' },
      { id: 43, name: '', type: 'type 99' },
    ]);
  });

  it('drops frames a kernel cannot have sent', () => {
    const hostile = [
      'prog=0 id=1 type=2 insns=5 name=<script>alert(1)</script>',
      'prog=0 id=2 type=2 insns=5 name=two words',
      'prog=0 id=3 type=2 insns=5 name=seventeen_chars_x',
      'prog=0 id=4 type=2 insns=4294967296 name=big',
      'prog=0 id=99999999999 type=2 insns=5 name=bigid',
      'prog=0 id=5 type=-1 insns=5 name=neg',
      'prog=0 id=6 type=2 insns=5e3 name=sci',
      'prog=0 id=7 type=2 name=noinsns',
      'prog=12345 id=8 type=2 insns=5 name=bigindex',
      'prog=x id=9 type=2 insns=5 name=nan',
      'prog=0 id=10 type=2 insns=5 name=ok extra=1',
    ];
    const report = parseFrames(console_(...hostile.map((h) => `${F} ${h}`)), T);
    expect(report.tests[0]!.programs).toBeUndefined();
    expect(report.tests).toHaveLength(1);
    for (const h of hostile) {
      const [head, ...rest] = h.split(' ');
      expect(parseProgFrame(head!.slice('prog='.length), rest.join(' ')), h).toBeUndefined();
    }
  });

  it('keeps an id once and at most MAX_PROGRAMS programs a test', () => {
    const frame = (i: number) => `${F} prog=0 id=${i + 1} type=2 insns=${i + 1} name=p${i}`;
    const flood = Array.from({ length: MAX_PROGRAMS + 50 }, (_, i) => frame(i));
    const again = `${F} prog=0 id=1 type=2 insns=777 name=forged`;
    const programs = parseFrames(console_(...flood, again), T).tests[0]!.programs!;
    expect(programs).toHaveLength(MAX_PROGRAMS);
    expect(programs[0]).toEqual({ id: 1, name: 'p0', type: 'kprobe', verifiedInsns: 1 });
    expect(programs.at(-1)!.id).toBe(MAX_PROGRAMS);
  });

  it('names the uapi program types as libbpf does', () => {
    const names = [1, 2, 5, 26, 29, 32].map(progTypeName);
    expect(names).toEqual(['socket_filter', 'kprobe', 'tracepoint', 'tracing', 'lsm', 'netfilter']);
  });
});
