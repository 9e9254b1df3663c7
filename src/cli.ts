// Parses arguments and lazy-imports the command; nothing else: each command is a
// function of its Context (docs/architecture.md).
// Every command is `(ctx, options) => Promise<exitCode>`.

import { Command, CommanderError, Option } from 'commander';
import type { Context } from './context.js';
import { escapeControls } from './core/sanitize.js';
import { ExitCode, PortmatrixError } from './errors.js';
import { VERSION } from './version.js';

function intOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CommanderError(ExitCode.usage, 'portmatrix.int', `expected a whole number, got "${value}"`);
  return n;
}

const matrixOption = () => new Option('-m, --matrix <file>', 'matrix file').default('matrix.yaml');
const cacheOption = () => new Option('--cache-dir <dir>', 'kernel and package cache (default $PORTMATRIX_CACHE or ~/.cache/portmatrix)');
const outsideOption = () =>
  new Option('--allow-outside-project', 'let the matrix name files outside the project (refused in pull-request events; docs/matrix.md)');
const mirrorOption = () => new Option('--mirror <url>', 'Debian mirror (default $PORTMATRIX_DEBIAN_MIRROR or https://deb.debian.org/debian)');

type CommandModule = { default: (ctx: Context, opts: any, ...args: any[]) => Promise<number> };
/** A commander action that lazy-imports the command module and runs it with the context. */
type Action = (load: () => Promise<CommandModule>) => (...args: any[]) => Promise<void>;

function addPlanAndRun(program: Command, action: Action): void {
  program
    .command('plan')
    .description('print the cells of the matrix')
    .addOption(matrixOption())
    .option('--json', 'machine-readable output')
    .option('--only <filter>', 'only cells matching key=value[,key=value] (keys: arch, kernel, config, libc, id)')
    .option('--github-matrix', 'JSON for a GitHub Actions strategy.matrix')
    .option('--shards <n>', 'with --github-matrix: split into N shards', intOption)
    .addOption(outsideOption())
    .action(action(() => import('./commands/plan.js')));

  program
    .command('run')
    .description('boot every cell and report')
    .addOption(matrixOption())
    .option('--only <filter>', 'only cells matching key=value[,key=value]')
    .option('--shard <i/n>', 'run only shard i of n (1-based)')
    .option('-j, --jobs <n>', 'cells at once (default from cores and memory)', intOption)
    .option('--results-dir <dir>', 'where results go', 'results')
    .option('--resume', 'skip cells already finished with identical inputs')
    .addOption(new Option('--accel <mode>', 'acceleration').choices(['auto', 'kvm', 'tcg']))
    .option('--retries <n>', 'retries of infrastructure failures (never of test failures)', intOption, 1)
    .option('--reruns <n>', 'rerun a failed cell up to N times on a fresh boot; failed then passed is flaky', intOption, 0)
    .option('--repeat <n>', 'run every cell N times and report its pass rate', intOption, 1)
    .option('--strict', 'flaky cells fail the run (by default they do not)')
    .option('--rerun-failed', 'like --resume, but failed, flaky and infra cells run again')
    .option('--reuse', 'skip cells whose inputs match an as-expected result kept in the cache by an earlier run; they are marked reused')
    .option('--no-snapshot', 'boot every cell cold instead of restoring a saved state of its boot (vm.snapshot: off)')
    .option('--reporter <list>', 'comma-separated: json,junit,html,markdown (default all)')
    .option('-v, --verbose', "print each test's guest output as it runs")
    .addOption(cacheOption())
    .addOption(mirrorOption())
    .addOption(outsideOption())
    .action(action(() => import('./commands/run.js')));
}

function addBisect(program: Command, action: Action): void {
  program
    .command('bisect')
    .description('find the first kernel a cell passes (or fails) on, in about log2(n) boots')
    .addOption(matrixOption())
    .option('--kernels <list>', 'comma-separated kernels, oldest first: names of the matrix or sources (default: bisect: in the matrix, else its kernels)')
    .option('--arch <arch>', 'the arch to follow (needed when the matrix has several)')
    .option('--config <name>', 'the config to follow (needed when the matrix has several)')
    .option('--libc <libc>', 'the libc to follow (needed when the matrix has several)')
    .option('--results-dir <dir>', 'where results go (reused by the next bisect)', 'results-bisect')
    .option('--reuse <dir...>', 'results dirs of earlier runs whose cells need no boot')
    .addOption(new Option('--accel <mode>', 'acceleration').choices(['auto', 'kvm', 'tcg']))
    .option('--retries <n>', 'retries of infrastructure failures (never of test failures)', intOption, 1)
    .addOption(cacheOption())
    .addOption(mirrorOption())
    .addOption(outsideOption())
    .action(action(() => import('./commands/bisect.js')));
}

function addReportAndComment(program: Command, action: Action): void {
  program
    .command('report')
    .description('re-render reports from results dirs, merging shards')
    .argument('<dirs...>', 'results directories')
    .option('-o, --out <dir>', 'output directory (default: the only input, or ./results-merged)')
    .option('--reporter <list>', 'comma-separated: json,junit,html,markdown (default all)')
    .action(action(() => import('./commands/report.js')));

  program
    .command('comment')
    .description('create or update the sticky pull-request comment')
    .argument('<dir>', 'results directory')
    .option('--base <dir>', 'results of the base branch, for the diff')
    .option('--pr <number>', 'pull request number (default from the GitHub event)')
    .option('--report-url <url>', 'link to the HTML report artifact')
    .option('--id <name>', 'marker suffix, for several matrices commenting on one pull request')
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
    images
      .command(name)
      .description(description)
      .addOption(matrixOption())
      .addOption(cacheOption())
      .addOption(mirrorOption())
      .option('--only <filter>', 'only cells matching key=value[,key=value]')
      .addOption(outsideOption())
      .action(action(async () => {
        const mod = await import('./commands/images.js');
        return { default: (c: Context, o: any) => mod.default(c, { ...o, action: name }) };
      }));
  }
}

function addDoctorAndInit(program: Command, action: Action): void {
  program
    .command('doctor')
    .description('check this host for what the matrix needs, and say how to install it')
    .addOption(matrixOption())
    .addOption(cacheOption())
    .action(action(() => import('./commands/doctor.js')));

  program
    .command('init')
    .description('write a starter matrix.yaml and GitHub workflow')
    .option('--force', 'overwrite existing files')
    .action(action(() => import('./commands/init.js')));
}

export function buildProgram(ctx: Context, setExit: (code: number) => void): Command {
  const program = new Command('portmatrix')
    .description('Prove an eBPF application is portable across kernels, arches, configs and libcs.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) })
    .showHelpAfterError();
  const action: Action = (load) => async (...args: any[]) => {
    const command = args.at(-1) as Command;
    const positional = args.slice(0, -2);
    const mod = await load();
    setExit(await mod.default(ctx, command.opts(), ...positional));
  };
  for (const add of [addPlanAndRun, addBisect, addReportAndComment, addImages, addDoctorAndInit]) add(program, action);
  return program;
}

export async function main(argv: string[], ctx?: Partial<Context>): Promise<number> {
  const controller = new AbortController();
  const listening: [NodeJS.Signals, (sig: NodeJS.Signals) => void][] = [];
  if (!ctx?.signal) {
    // First Ctrl-C: stop starting cells, kill running VMs, keep finished cells, exit 130.
    // A second one exits at once (the VM reaper still runs on 'exit').
    const onSignal = (sig: NodeJS.Signals) => {
      if (controller.signal.aborted) process.exit(ExitCode.interrupted);
      process.stderr.write(`\nportmatrix: ${sig}: stopping (press Ctrl-C again to exit at once)\n`);
      controller.abort(new Error(sig));
    };
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.on(sig, onSignal);
      listening.push([sig, onSignal]);
    }
  }
  const full: Context = {
    cwd: ctx?.cwd ?? process.cwd(),
    env: ctx?.env ?? process.env,
    stdout: ctx?.stdout ?? process.stdout,
    stderr: ctx?.stderr ?? process.stderr,
    signal: ctx?.signal ?? controller.signal,
  };
  let code: number = ExitCode.ok;
  try {
    await buildProgram(full, (c) => (code = c)).parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; usage mistakes exit 2.
      return error.exitCode === 0 ? 0 : ExitCode.usage;
    }
    if (full.signal.aborted) {
      // Ctrl-C during a step that stops by throwing (a glob walk, a download): not an internal error.
      full.stderr.write('portmatrix: interrupted\n');
      return ExitCode.interrupted;
    }
    if (error instanceof PortmatrixError) {
      // A message may quote what a user or a tool wrote: nothing in it may drive the terminal.
      full.stderr.write(`portmatrix: ${escapeControls(error.message, true)}\n`);
      return error.exitCode;
    }
    full.stderr.write(
      `portmatrix: internal error (portmatrix ${VERSION}, node ${process.version}, ${process.platform}/${process.arch}); ` +
        `please report it with this output:\n${escapeControls(error instanceof Error ? (error.stack ?? error.message) : String(error), true)}\n`,
    );
    return 70; // EX_SOFTWARE: a bug (docs/architecture.md, "Outcomes")
  } finally {
    for (const [sig, listener] of listening) process.off(sig, listener);
  }
}
