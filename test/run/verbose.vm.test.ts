// `run --verbose` on a real kernel (TCG, amd64, Debian trixie): each test's guest
// output is printed while the test runs, not when it ends. A test prints a line and
// then hangs until its timeout: the line is on the terminal well before the test's
// FAIL line. The one-program form (`loader:`) streams too. Lines are plain text.

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { scriptProject } from '../helpers/script-project.js';

/** Runs `portmatrix run --verbose` in dir; every stderr line with the time it arrived. */
async function verboseRun(dir: string): Promise<{ code: number; lines: { text: string; at: number }[] }> {
  const stderr = new PassThrough();
  const lines: { text: string; at: number }[] = [];
  let partial = '';
  stderr.on('data', (d) => {
    const parts = (partial + String(d)).split('\n');
    partial = parts.pop()!;
    for (const text of parts) lines.push({ text, at: Date.now() });
  });
  const code = await main(['run', '--accel', 'tcg', '--retries', '0', '--reporter', 'json', '--verbose'], {
    cwd: dir,
    env: { ...process.env, CI: 'true' },
    stdout: new PassThrough().resume(),
    stderr,
    signal: new AbortController().signal,
  });
  return { code, lines };
}

const project = (scripts: Record<string, string>, matrixTail: string) => scriptProject('pm-verbose-', scripts, matrixTail);

const ID = 'amd64/debian-trixie/default';

describe('run --verbose', () => {
  it("prints a test's output while it runs: a hanging test's line well before its timeout", async () => {
    const dir = await project(
      {
        'hang.sh': 'printf "waiting for \\033[31mgodot\\033[0m\\n"; echo "to stderr" >&2; sleep 60',
        'ok.sh': 'echo fine',
      },
      'tests:\n  - {name: hang, path: ./hang.sh, timeout: 4}\n  - {name: ok, path: ./ok.sh}\n',
    );
    const { code, lines } = await verboseRun(dir);
    expect(code).toBe(1);
    const at = (text: string) => {
      const line = lines.find((l) => l.text === text);
      expect(line, `${text}\n--- stderr:\n${lines.map((l) => l.text).join('\n')}`).toBeDefined();
      return line!.at;
    };
    const said = at(`  │ ${ID} › hang: waiting for godot`);
    at(`  │ ${ID} › hang (stderr): to stderr`);
    const failed = lines.find((l) => l.text.startsWith(`  FAIL  ${ID} › hang`))!.at;
    // The test hung 4 s after printing: its line came while it ran, not with its result.
    expect(failed - said).toBeGreaterThan(2000);
    expect(at(`  │ ${ID} › ok: fine`)).toBeGreaterThan(failed);
  }, 300_000);

  it('streams the one-program form too', async () => {
    const dir = await project({ 'loader.sh': 'echo "loader says hi"; sleep 3; echo bye' }, 'loader:\n  path: ./loader.sh\n');
    const { code, lines } = await verboseRun(dir);
    expect(code).toBe(0);
    const texts = lines.map((l) => l.text);
    const streamed = lines.filter((l) => l.text.startsWith(`  │ ${ID} › loader`));
    // Each line once: streamed while the loader ran, not printed again with its result.
    const want = [`  │ ${ID} › loader: loader says hi`, `  │ ${ID} › loader: bye`];
    expect(
      streamed.map((l) => l.text),
      texts.join('\n'),
    ).toEqual(want);
    const [hi, bye] = streamed as [(typeof lines)[number], (typeof lines)[number]];
    // The loader slept 3 s between its two lines.
    expect(bye.at - hi.at).toBeGreaterThan(2000);
    expect(texts.findIndex((t) => t.startsWith(`[1/1] pass  ${ID}`))).toBeGreaterThan(lines.indexOf(bye));
  }, 300_000);
});
