// Parses arguments and lazy-imports the command; nothing else: each command is a
// function of its Context (docs/architecture.md).
// Every command is `(ctx, options) => Promise<exitCode>`.

import { Command, CommanderError, Option } from 'commander';
import type { ImagesOptions } from './commands/images.js';
import { COMMAND_FLAGS, type FlagName, type FlagOverride, flagOption } from './config/options.js';
import type { Context } from './context.js';
import { escapeControls } from './core/sanitize.js';
import { ExitCode, PortmatrixError, UsageError } from './errors.js';
import { VERSION } from './version.js';

/** A command: its options are what commander parsed from the table, so the command's own type holds. */
type CommandModule = { default: (ctx: Context, opts: never, ...positional: never[]) => Promise<number> };
/** A commander action that lazy-imports the command module and runs it with the context. */
type Action = (load: () => Promise<CommandModule>) => (...args: unknown[]) => Promise<void>;

interface CommandFlags {
  overrides?: Partial<Record<FlagName, FlagOverride>>;
  /** Options under help headings, for commands with options of several kinds. */
  grouped?: boolean;
}

/** A subcommand with its options from the table (commands/options.ts). */
function command(parent: Command, name: string, flags: readonly FlagName[], o: CommandFlags = {}): Command {
  const cmd = parent.command(name);
  for (const flag of flags) cmd.addOption(flagOption(flag, o.overrides?.[flag], o.grouped));
  return cmd;
}

function addPlanAndRun(program: Command, action: Action): void {
  command(program, 'plan', COMMAND_FLAGS.plan)
    .description('print the cells of the matrix')
    .action(action(() => import('./commands/plan.js')));
  command(program, 'check', COMMAND_FLAGS.check)
    .description("before any boot: what each cell's BPF objects need that its kernel lacks")
    .action(action(() => import('./commands/check.js')));
  command(program, 'run', COMMAND_FLAGS.run, { grouped: true })
    .description('boot every cell and report')
    .action(action(() => import('./commands/run.js')));
}

function addBisect(program: Command, action: Action): void {
  const overrides = { resultsDir: { default: 'results-bisect', help: 'where results go (reused by the next bisect)' } };
  command(program, 'bisect', COMMAND_FLAGS.bisect, { overrides, grouped: true })
    .description('find the first kernel a cell passes (or fails) on, in about log2(n) boots')
    // run --reuse is the cache's result store: a bisect's earlier results dirs have their own name.
    .addOption(new Option('--reuse <dir...>').hideHelp())
    .on('option:reuse', () => {
      throw new UsageError("bisect takes the results dirs of earlier runs with --from <results-dir...>; --reuse is run's result store");
    })
    .action(action(() => import('./commands/bisect.js')));
}

function addRepro(program: Command, action: Action): void {
  const overrides = { resultsDir: { default: 'results-repro', help: 'where the cells booted again go' } };
  command(program, 'repro', COMMAND_FLAGS.repro, { overrides, grouped: true })
    .description('boot the failed, flaky and infra cells of a results dir (a CI artifact) again, and say which reproduced')
    .argument('<results-dir>', 'results directory, e.g. the downloaded CI artifact')
    .action(action(() => import('./commands/repro.js')));
}

function addShell(program: Command, action: Action): void {
  command(program, 'shell', COMMAND_FLAGS.shell, { grouped: true })
    .description("a shell in one cell's guest, booted as run boots it (Ctrl-] leaves)")
    .argument('<cell>', 'cell id as plan prints it, a unique prefix of one, or key=value[,key=value]')
    .action(action(() => import('./commands/shell.js')));
}

function addReportAndComment(program: Command, action: Action): void {
  // The plan of a sharded run, for a report job whose shards may have uploaded nothing.
  const overrides = {
    matrix: { default: undefined, help: 'with --shards: the matrix the shards ran (cells no dir holds are missing)' },
    shards: { help: 'the shard count the plan used (`plan --github-matrix --shards N`)' },
  };
  command(program, 'report', COMMAND_FLAGS.report, { overrides })
    .description('re-render reports from results dirs, merging shards')
    .argument('[dirs...]', 'results directories (none: with --matrix and --shards, a report of no results)')
    .action(action(() => import('./commands/report.js')));
  command(program, 'comment', COMMAND_FLAGS.comment)
    .description('create or update the sticky pull-request comment')
    .argument('<dir>', 'results directory')
    .action(action(() => import('./commands/comment.js')));
}

function addImages(program: Command, action: Action): void {
  const images = program.command('images').description('kernel and package cache');
  for (const [name, description] of [
    ['pull', 'fetch and verify everything the matrix needs'],
    ['update', 'resolve the newest kernels again and rewrite portmatrix.lock'],
    ['ls', 'list what is cached'],
    ['prune', 'remove cache entries no lock file refers to'],
  ] as const) {
    // --lock names other lock files, which only ls and prune read.
    const flags = COMMAND_FLAGS.images.filter((f) => f !== 'lock' || name === 'ls' || name === 'prune');
    command(images, name, flags)
      .description(description)
      .action(
        action(async () => {
          const mod = await import('./commands/images.js');
          return { default: (c: Context, o: Omit<ImagesOptions, 'action'>) => mod.default(c, { ...o, action: name }) };
        }),
      );
  }
}

function addLock(program: Command, action: Action): void {
  command(program, 'lock', COMMAND_FLAGS.lock)
    .description('whether portmatrix.lock pins the newest builds: --check lists what moved, --update moves it')
    .action(action(() => import('./commands/lock.js')));
  command(program, 'lock-pr', COMMAND_FLAGS.lockPr)
    .description('open or update the pull request that moves portmatrix.lock, with the run on the newer builds')
    .argument('<dir>', 'results directory of the run on the newer lock')
    .action(action(() => import('./commands/lock-pr.js')));
}

function addKernels(program: Command, action: Action): void {
  const overrides = { arch: { help: 'comma-separated arches (default amd64,arm64,s390x)' } };
  command(program, 'kernels', COMMAND_FLAGS.kernels, { overrides })
    .description('list what a distribution offers today: flavours × arches → kernel, from its signed index')
    .argument('<source>', 'a distribution (debian, ubuntu) or one release, e.g. debian:bookworm-backports, ubuntu:jammy')
    .action(action(() => import('./commands/kernels.js')));
}

function addDoctorAndInit(program: Command, action: Action): void {
  command(program, 'doctor', COMMAND_FLAGS.doctor)
    .description('check this host for what the matrix needs, and say how to install it')
    .action(action(() => import('./commands/doctor.js')));
  command(program, 'init', COMMAND_FLAGS.init)
    .description('build the tests found here and write a matrix.yaml and GitHub workflow that run them')
    .action(action(() => import('./commands/init.js')));
}

export function buildProgram(ctx: Context, setExit: (code: number) => void): Command {
  const program = new Command('portmatrix')
    .description('Prove an eBPF application is portable across kernels, arches, configs and libcs.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) })
    .showHelpAfterError();
  const action: Action =
    (load) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const positional = args.slice(0, -2) as never[];
      const mod = await load();
      setExit(await mod.default(ctx, command.opts() as never, ...positional));
    };
  const adds = [addPlanAndRun, addBisect, addRepro, addShell, addReportAndComment, addImages, addLock, addKernels, addDoctorAndInit];
  for (const add of adds) {
    add(program, action);
  }
  return program;
}

/**
 * Ctrl-C for a command given no signal: the first stops starting cells, kills running
 * VMs, keeps finished cells and exits 130; a second exits at once (the VM reaper still
 * runs on 'exit'). Returns what stops listening.
 */
function abortOnSignals(controller: AbortController): () => void {
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(ExitCode.interrupted);
    process.stderr.write(`\nportmatrix: ${sig}: stopping (press Ctrl-C again to exit at once)\n`);
    controller.abort(new Error(sig));
  };
  const signals = ['SIGINT', 'SIGTERM'] as const;
  for (const sig of signals) process.on(sig, onSignal);
  return () => {
    for (const sig of signals) process.off(sig, onSignal);
  };
}

/** The one top-level catch: what to print, and the exit code. */
function exitCodeOf(error: unknown, stderr: Context['stderr'], signal: AbortSignal): number {
  // --help and --version exit 0; usage mistakes exit 2.
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  if (signal.aborted) {
    // Ctrl-C during a step that stops by throwing (a glob walk, a download): not an internal error.
    stderr.write('portmatrix: interrupted\n');
    return ExitCode.interrupted;
  }
  if (error instanceof PortmatrixError) {
    // A message may quote what a user or a tool wrote: nothing in it may drive the terminal.
    stderr.write(`portmatrix: ${escapeControls(error.message, true)}\n`);
    return error.exitCode;
  }
  stderr.write(
    `portmatrix: internal error (portmatrix ${VERSION}, node ${process.version}, ${process.platform}/${process.arch}); ` +
      `please report it with this output:\n${escapeControls(error instanceof Error ? (error.stack ?? error.message) : String(error), true)}\n`,
  );
  return ExitCode.internal;
}

export async function main(argv: string[], ctx?: Partial<Context>): Promise<number> {
  const controller = new AbortController();
  const stopListening = ctx?.signal ? () => {} : abortOnSignals(controller);
  const full: Context = {
    cwd: ctx?.cwd ?? process.cwd(),
    env: ctx?.env ?? process.env,
    stdout: ctx?.stdout ?? process.stdout,
    stderr: ctx?.stderr ?? process.stderr,
    stdin: ctx?.stdin ?? process.stdin,
    signal: ctx?.signal ?? controller.signal,
  };
  let code: number = ExitCode.ok;
  try {
    await buildProgram(full, (c) => (code = c)).parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    return exitCodeOf(error, full.stderr, full.signal);
  } finally {
    stopListening();
  }
}
