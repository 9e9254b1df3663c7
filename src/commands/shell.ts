// `portmatrix shell <cell>`: one cell's guest, booted as `run` boots it, with a shell
// on the terminal instead of its tests (docs/shell.md). The terminal goes raw: every
// key, Ctrl-C included, goes to the guest; Ctrl-] (the stopShell) stops the VM.
// `--command CMD` runs CMD instead, prints its output and exits with its code.

import type { ShellOptions } from '../config/options.js';
import type { Context } from '../context.js';
import { preflight } from '../engine/preflight.js';
import { planRun } from '../engine/run-plan.js';
import { UsageError } from '../errors.js';
import { pickCell } from '../plan/pick.js';
import { bootShell } from '../shell/boot-shell.js';

/** Ctrl-]: telnet's and QEMU's own stopShell; no shell or editor in the guest needs it. */
export const ESCAPE_KEY = 0x1d;

export default async function shell(ctx: Context, opts: ShellOptions, wanted: string): Promise<number> {
  const plan = await planRun(ctx, {
    matrix: opts.matrix,
    reporter: undefined,
    allowOutsideProject: opts.allowOutsideProject,
  });
  const cell = pickCell(plan.cells, wanted);
  // vng runs its own console; the shell pipes QEMU's.
  if (plan.matrix.vm.backend !== 'qemu') throw new UsageError('portmatrix shell boots with vm.backend: qemu only');
  const stdin = ctx.stdin;
  if (opts.command === undefined && !(stdin?.isTTY && stdin.setRawMode)) {
    throw new UsageError("portmatrix shell needs a terminal (stdin is not one); run one command with --command 'CMD'");
  }
  await preflight([cell], ctx.env, (line) => ctx.stderr.write(`note: ${line}\n`));
  const boot = { cell, matrix: plan.matrix, options: opts, kernelLog: opts.kernelLog };
  if (opts.command !== undefined) return bootShell(ctx, { ...boot, command: opts.command, signal: ctx.signal });
  const out = ctx.stdout as { rows?: number; columns?: number };
  const size = out.rows && out.columns ? { rows: out.rows, columns: out.columns } : undefined;
  return withRawTerminal(stdin!, (input, escaped) => bootShell(ctx, { ...boot, input, size, signal: escaped }));
}

/** The terminal raw while `fn` runs, the stopShell key turned into an abort; restored however it ends. */
async function withRawTerminal<T>(stdin: NonNullable<Context['stdin']>, fn: (input: NodeJS.ReadableStream, escaped: AbortSignal) => Promise<T>): Promise<T> {
  const stopShell = new AbortController();
  const onKey = (chunk: Buffer) => void (chunk.includes(ESCAPE_KEY) && stopShell.abort());
  stdin.setRawMode!(true);
  stdin.on('data', onKey);
  stdin.resume();
  try {
    return await fn(stdin, stopShell.signal);
  } finally {
    stdin.removeListener('data', onKey);
    stdin.setRawMode!(false);
    stdin.pause();
  }
}
