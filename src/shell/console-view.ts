// What of the guest's console the shell's user sees: nothing of the boot, from the
// line after the script's `phase=shell` frame to its next frame (the shell's exit
// code), raw, so prompts and the terminal's control codes come through as typed.
// With --kernel-log the guest frames each kernel log record (`kmsg <text>`): those
// lines are shown marked `[kernel]`, made plain (they are guest text, not the shell's).

import { cleanText } from '../core/plain-text.js';

export interface ConsoleViewOptions {
  /** No terminal: the tty's carriage returns dropped. */
  plain: boolean;
  /** Colour the kernel log's lines. */
  color?: boolean;
}

const LINE_MAX = 65536;

/** A kernel log record as the user sees it: its own line, marked and plain. */
function kernelLine(text: string, o: ConsoleViewOptions, midLine: boolean): string {
  const nl = o.plain ? '\n' : '\r\n';
  const line = `[kernel] ${cleanText(text).replace(/\n/g, ' ')}`;
  return `${midLine ? nl : ''}${o.color ? `\x1b[2;33m${line}\x1b[0m` : line}${nl}`;
}

/** The console chunks → what to write. `exitCode()`: the shell's, once its frame came. */
export function consoleView(token: string, write: (text: string) => void, o: ConsoleViewOptions) {
  const view = new ConsoleView(token, write, o);
  return { push: (chunk: string) => view.push(chunk), exitCode: () => shellExit(token, view.after) };
}

class ConsoleView {
  private readonly start: string;
  private readonly frame: string;
  private readonly kmsg: string;
  private state: 'boot' | 'shell' | 'done' = 'boot';
  private held = '';
  private midLine = false;
  /** The frames after the shell: the exit code's line, at most a few hundred bytes on. */
  after = '';

  constructor(
    token: string,
    private readonly write: (text: string) => void,
    private readonly o: ConsoleViewOptions,
  ) {
    this.start = `@@portmatrix:${token} phase=shell`;
    this.frame = `@@portmatrix:${token} `;
    this.kmsg = `${this.frame}kmsg `;
  }

  push(chunk: string): void {
    if (this.state === 'done') return void (this.after.length < 512 && (this.after += chunk));
    this.held += chunk;
    if (this.state === 'boot') {
      const at = this.held.indexOf(this.start);
      const nl = at < 0 ? -1 : this.held.indexOf('\n', at);
      // Boot lines are dropped as they come; the marker may still be arriving.
      if (nl < 0) return void (this.held = at < 0 ? this.held.slice(-this.start.length) : this.held);
      this.held = this.held.slice(nl + 1);
      this.state = 'shell';
    }
    while (this.state === 'shell' && this.nextFrame());
    if (this.state !== 'shell' || this.held.startsWith(this.frame)) return;
    // A tail that could be the start of the frame waits for the next chunk.
    const keep = heldBack(this.held, this.frame);
    this.out(this.held.slice(0, this.held.length - keep));
    this.held = this.held.slice(this.held.length - keep);
  }

  /** The shell's text up to the next frame; a kernel line shown and passed (true), another frame ending the shell. */
  private nextFrame(): boolean {
    const at = this.held.indexOf(this.frame);
    if (at < 0) return false;
    this.out(this.held.slice(0, at));
    this.held = this.held.slice(at);
    // `kmsg` may still be arriving, and so may the rest of its line.
    if (this.held.length < this.kmsg.length && this.kmsg.startsWith(this.held)) return false;
    if (!this.held.startsWith(this.kmsg)) {
      this.state = 'done';
      this.after = this.held;
      return false;
    }
    // A record is at most a few KiB: a line that never ends is shown as it is.
    const nl = this.held.indexOf('\n') < 0 && this.held.length > LINE_MAX ? this.held.length : this.held.indexOf('\n');
    if (nl < 0) return false;
    this.write(kernelLine(this.held.slice(this.kmsg.length, nl).replace(/\r$/, ''), this.o, this.midLine));
    this.midLine = false;
    this.held = this.held.slice(nl + 1);
    return true;
  }

  private out(text: string): void {
    const shown = this.o.plain ? text.replace(/\r/g, '') : text;
    if (!shown) return;
    this.write(shown);
    this.midLine = !shown.endsWith('\n');
  }
}

/** How many of `text`'s last characters begin `marker`. */
function heldBack(text: string, marker: string): number {
  for (let n = Math.min(text.length, marker.length - 1); n > 0; n--) {
    if (marker.startsWith(text.slice(-n))) return n;
  }
  return 0;
}

/** The exit code the guest framed for the shell (or `--command`), from the console. */
function shellExit(token: string, line: string): number | undefined {
  const m = new RegExp(`@@portmatrix:${token} shell-exit=(\\d+)`).exec(line);
  return m ? Number(m[1]) : undefined;
}
