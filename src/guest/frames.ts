// Reads the guest console back into a GuestReport (protocol: init-script.ts).
// The console is a shared, lossy channel: kernel messages interleave with our
// lines, QEMU's serial may deliver \r\n and stray bytes, and the loader may
// print anything. Only lines carrying `@@portmatrix:<token> ` count as frames;
// inside a begin/end block only pure base64 lines count as data.

import { plainText } from '../core/plain-text.js';
import type { GuestFacts, OutputCut } from '../results/model.js';
import type { GuestReport, GuestTest } from './guest-report.js';
import { LiveTails } from './live-tails.js';
import { parseProgFrame, withProgram } from './prog-frame.js';

export type { GuestReport, GuestTest } from './guest-report.js';

export type FrameEvent =
  | { type: 'phase'; name: string; t: number }
  | { type: 'exit'; code: number }
  | { type: 'timedout' }
  | { type: 'fact'; name: string; value: string }
  | { type: 'block'; name: string; bytes: number }
  | { type: 'test-start'; index: number; t: number }
  | { type: 'test-end'; index: number; exitCode?: number; timedOut: boolean; t: number }
  /**
   * `live=<stdout|stderr>[.<i>] <base64>`: output as the program writes it (all of it
   * with run --verbose; else the head of a suite test's). The blocks stay the record:
   * a stream whose block never came (the guest died or wedged first) keeps this.
   */
  | { type: 'live'; stream: 'stdout' | 'stderr'; index?: number; data: Buffer };

const BLOCKS = ['stdout', 'stderr', 'dmesg'] as const;
type BlockName = (typeof BLOCKS)[number] | `${(typeof BLOCKS)[number]}.${number}`;
/** `stdout`, `stderr`, `dmesg`, or a test's `stdout.<i>` / `stderr.<i>` / `dmesg.<i>`. */
const isBlockName = (name: string): name is BlockName => (BLOCKS as readonly string[]).includes(name) || /^(stdout|stderr|dmesg)\.\d{1,4}$/.test(name);
const uptime = (rest: string) => Number(/(?:^|\s)t=([0-9.]+)/.exec(rest)?.[1] ?? NaN);
const BASE64_LINE = /^[A-Za-z0-9+/]+={0,2}$/;
function applyFact(facts: GuestFacts, name: string, value: string): void {
  if (name === 'btf') facts.btfPresent = value === '1';
  else if (name === 'lockdown') facts.lockdown = /\[([^\]]+)\]/.exec(value)?.[1] ?? value;
  else if (name === 'jit') facts.jitEnabled = value;
  else if (name === 'uname') facts.unameR = value;
  else if (name === 'uid' && /^\d+$/.test(value)) facts.uid = Number(value);
  else if (name === 'capeff') facts.capEff = value;
}

export class FrameParser {
  private readonly marker: string;
  private partial = '';
  private block: { name: BlockName; data: string[] } | undefined;
  private readonly report: GuestReport = {
    phases: {},
    loaderStarted: false,
    done: false,
    timedOut: false,
    stdout: '',
    stderr: '',
    dmesg: '',
    facts: {},
    sysctlErrors: [],
    tests: [],
  };
  private readonly truncated = new Set<string>();
  private readonly cuts: Record<string, Omit<OutputCut, 'stream'>> = {};
  /** Live output by block name (`stdout.3`), kept for streams whose block does not come. */
  private readonly live = new LiveTails();
  private readonly received = new Set<string>();

  constructor(token: string) {
    this.marker = `@@portmatrix:${token} `;
  }

  /** Feed console text in any chunking; returns the frames completed by it. */
  push(chunk: string): FrameEvent[] {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    const events: FrameEvent[] = [];
    for (const raw of lines) this.line(plainText(raw), events);
    return events;
  }

  /** The report so far, as a copy, without ending anything (a test reported while the guest still runs). */
  current(): GuestReport {
    return this.copy();
  }

  /** Flush the last unterminated line and return the report. */
  end(): GuestReport {
    if (this.partial) this.line(plainText(this.partial), []);
    this.partial = '';
    if (this.block) this.closeBlock(undefined);
    const report = this.copy();
    const liveOnly = this.live.names().filter((name) => !this.received.has(name));
    const truncated = new Set([...this.truncated, ...liveOnly]);
    if (truncated.size) report.truncated = [...truncated].sort();
    for (const name of liveOnly) this.cuts[name] ??= { keptBytes: this.live.keptBytes(name) };
    if (Object.keys(this.cuts).length) report.outputCut = { ...this.cuts };
    return report;
  }

  /** A copy of the report, with what was streamed live for each stream whose block has not come. */
  private copy(): GuestReport {
    const r = this.report;
    const copy = {
      ...r,
      phases: { ...r.phases },
      facts: { ...r.facts },
      sysctlErrors: [...r.sysctlErrors],
      tests: r.tests.map((t) => ({ ...t })),
    };
    for (const name of this.live.names()) {
      if (this.received.has(name)) continue;
      const [stream, index] = name.split('.') as ['stdout' | 'stderr', string | undefined];
      (index === undefined ? copy : copy.tests[Number(index)]!)[stream] = this.live.text(name);
    }
    return copy;
  }

  /** The report of test `index`, made on first mention (indexes are small: 4 digits at most). */
  private test(index: number): GuestTest {
    for (let i = this.report.tests.length; i <= index; i++) this.report.tests.push({ started: false, ended: false, timedOut: false, stdout: '', stderr: '' });
    return this.report.tests[index]!;
  }

  private line(line: string, events: FrameEvent[]): void {
    const at = line.indexOf(this.marker);
    if (at < 0) {
      // Not a frame: data if inside a block, else console noise (kernel, busybox, loader).
      const trimmed = line.trim();
      if (this.block && BASE64_LINE.test(trimmed)) this.block.data.push(trimmed);
      return;
    }
    const body = line.slice(at + this.marker.length).trim();
    const space = body.indexOf(' ');
    const head = space < 0 ? body : body.slice(0, space);
    const rest = space < 0 ? '' : body.slice(space + 1).trim();
    const eq = head.indexOf('=');
    const key = eq < 0 ? head : head.slice(0, eq);
    const value = eq < 0 ? '' : head.slice(eq + 1);
    const event = this.frame(key, value, rest);
    if (event) events.push(event);
  }

  /** Applies one frame to the report; gives the event it makes, if any. */
  private frame(key: string, value: string, rest: string): FrameEvent | undefined {
    const r = this.report;
    switch (key) {
      case 'phase':
        return this.phase(value, uptime(rest));
      case 'exit':
        if (!/^\d+$/.test(value)) return undefined;
        r.exitCode = Number(value);
        return { type: 'exit', code: r.exitCode };
      case 'timedout':
        r.timedOut = true;
        return { type: 'timedout' };
      case 'fact':
        applyFact(r.facts, value, rest);
        return { type: 'fact', name: value, value: rest };
      case 'sysctl-error':
        r.sysctlErrors.push(rest ? `${value}: ${rest}` : value);
        return undefined;
      case 'unsupported':
        (r.unsupported ??= []).push(rest ? `${value}: ${rest}` : value);
        return undefined;
      case 'test-start':
        return this.testStart(value, rest);
      case 'test-end':
        return this.testEnd(value, rest);
      case 'live':
        return this.liveFrame(value, rest);
      case 'prog':
        this.addProgram(value, rest);
        return undefined;
      case 'begin':
        if (this.block) this.closeBlock(undefined); // a begin without the previous end
        if (isBlockName(value)) this.block = { name: value, data: [] };
        return undefined;
      case 'end':
        return this.endBlock(value, rest);
    }
    return undefined;
  }

  private phase(name: string, t: number): FrameEvent {
    const r = this.report;
    if (!(name in r.phases)) r.phases[name] = t;
    if (name === 'loader-start') r.loaderStarted = true;
    if (name === 'done') r.done = true;
    return { type: 'phase', name, t };
  }

  /** `test-start=<i> t=…` */
  private testStart(value: string, rest: string): FrameEvent | undefined {
    if (!/^\d{1,4}$/.test(value)) return undefined;
    const t = this.test(Number(value));
    t.started = true;
    t.startT = uptime(rest);
    return { type: 'test-start', index: Number(value), t: t.startT };
  }

  /** `test-end=<i> exit=<code> timedout=<0|1> t=…` */
  private testEnd(value: string, rest: string): FrameEvent | undefined {
    if (!/^\d{1,4}$/.test(value)) return undefined;
    const t = this.test(Number(value));
    const code = /(?:^|\s)exit=(\d+)/.exec(rest)?.[1];
    t.ended = true;
    if (code !== undefined) t.exitCode = Number(code);
    t.timedOut = /(?:^|\s)timedout=1(?:\s|$)/.test(rest);
    t.endT = uptime(rest);
    return { type: 'test-end', index: Number(value), exitCode: t.exitCode, timedOut: t.timedOut, t: t.endT };
  }

  /** `live=<stdout|stderr>[.<i>] <base64>` */
  private liveFrame(value: string, rest: string): FrameEvent | undefined {
    const m = /^(stdout|stderr)(?:\.(\d{1,4}))?$/.exec(value);
    if (!m || !BASE64_LINE.test(rest)) return undefined; // a line the console broke is dropped: only the view misses it
    const data = Buffer.from(rest, 'base64');
    if (m[2] !== undefined) this.test(Number(m[2]));
    this.live.keep(value, data);
    return {
      type: 'live',
      stream: m[1] as 'stdout' | 'stderr',
      ...(m[2] === undefined ? {} : { index: Number(m[2]) }),
      data,
    };
  }

  /** `prog=<i> …`: a BPF program test `i` has loaded. */
  private addProgram(value: string, rest: string): void {
    const p = parseProgFrame(value, rest);
    if (p) this.test(p.index).programs = withProgram(this.test(p.index).programs, p.program);
  }

  /** `end=<block> bytes=<sent> total=<in the guest>`: the sent bytes are the tail when total is larger. */
  private endBlock(name: string, rest: string): FrameEvent | undefined {
    if (!this.block || this.block.name !== name) return undefined;
    const bytes = Number(/(?:^|\s)bytes=(\d+)/.exec(rest)?.[1] ?? NaN);
    const total = Number(/(?:^|\s)total=(\d+)/.exec(rest)?.[1] ?? NaN);
    const got = this.closeBlock(Number.isNaN(bytes) ? undefined : bytes);
    if (total > bytes) {
      this.truncated.add(name);
      this.cuts[name] = { keptBytes: got, totalBytes: total };
    }
    return { type: 'block', name, bytes: got };
  }

  /** Decode the open block; `expected` undefined means its end frame never came. */
  private closeBlock(expected: number | undefined): number {
    const block = this.block!;
    this.block = undefined;
    const buf = Buffer.from(block.data.join(''), 'base64');
    this.received.add(block.name);
    const dot = block.name.indexOf('.');
    if (dot < 0) this.report[block.name as (typeof BLOCKS)[number]] = buf.toString('utf8');
    else this.test(Number(block.name.slice(dot + 1)))[block.name.slice(0, dot) as (typeof BLOCKS)[number]] = buf.toString('utf8');
    if (expected === undefined || expected !== buf.length) {
      this.truncated.add(block.name);
      this.cuts[block.name] = { keptBytes: buf.length };
    }
    return buf.length;
  }
}

/** Parse a whole console log at once. */
export function parseFrames(text: string, token: string): GuestReport {
  const p = new FrameParser(token);
  p.push(text);
  return p.end();
}
