// What of the guest's console the shell's user sees: nothing of the boot, from the
// line after the script's `phase=shell` frame to its next frame (the shell's exit
// code), raw, so prompts and the terminal's control codes come through as typed.

/**
 * The console chunks → what to write; `plain` (no terminal) drops the tty's carriage
 * returns. `exitCode()`: the shell's, once its frame came.
 */
export function consoleView(token: string, write: (text: string) => void, o: { plain: boolean }) {
  const start = `@@portmatrix:${token} phase=shell`;
  const frame = `@@portmatrix:${token} `;
  let state: 'boot' | 'shell' | 'done' = 'boot';
  let held = '';
  const out = (text: string) => {
    const shown = o.plain ? text.replace(/\r/g, '') : text;
    if (shown) write(shown);
  };
  let after = '';
  const push = (chunk: string): void => {
    // The frames after the shell: the exit code's line, at most a few hundred bytes on.
    if (state === 'done') return void (after.length < 512 && (after += chunk));
    held += chunk;
    if (state === 'boot') {
      const at = held.indexOf(start);
      const nl = at < 0 ? -1 : held.indexOf('\n', at);
      // Boot lines are dropped as they come; the marker may still be arriving.
      if (nl < 0) return void (held = at < 0 ? held.slice(-start.length) : held);
      held = held.slice(nl + 1);
      state = 'shell';
    }
    const at = held.indexOf(frame);
    if (at >= 0) {
      out(held.slice(0, at));
      state = 'done';
      after = held.slice(at);
      return;
    }
    // A tail that could be the start of the frame waits for the next chunk.
    const keep = heldBack(held, frame);
    out(held.slice(0, held.length - keep));
    held = held.slice(held.length - keep);
  };
  return { push, exitCode: () => shellExit(token, after) };
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
