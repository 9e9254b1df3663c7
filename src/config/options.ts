// The command-line options of every command, declared once: flag, one help line,
// default and help group. cli.ts builds each command from this table; the types
// below are what the commands and the run session receive. Where a setting also
// has an environment variable or a matrix key, the flag wins, then the environment,
// then the matrix (docs/matrix.md, "Precedence"; core/precedence.ts).

import { CommanderError, Option } from 'commander';
import { ExitCode } from '../errors.js';

export type AccelMode = 'auto' | 'kvm' | 'tcg';

/** The matrix file and the cells of it a command takes. */
export interface CellOptions {
  matrix: string;
  /** `key=value[,key=value]`: only the cells that match. */
  only?: string;
  /** Let the matrix name files outside the project (config/confine.ts). */
  allowOutsideProject?: boolean;
}

/** Where kernels and packages come from and are kept. */
export interface CacheOptions {
  cacheDir?: string;
  mirror?: string;
}

/** How the cells of a run session boot: every command that boots cells takes these. */
export interface BootOptions extends CacheOptions {
  /** Default: the matrix's vm.accel. */
  accel?: AccelMode;
  /** Extra attempts after an infrastructure failure. */
  retries: number;
  /** false with --no-snapshot. */
  snapshot?: boolean;
  /** Print each test's guest output while it runs. */
  verbose?: boolean;
}

export interface RunOptions extends CellOptions, BootOptions {
  shard?: string;
  /** Cells at once; default from cores and memory. */
  jobs?: number;
  resultsDir: string;
  /** Skip: cells finished in resultsDir with identical inputs. */
  resume?: boolean;
  /** Skip as --resume, except cells that failed, were flaky or infra. */
  rerunFailed?: boolean;
  /** Skip: cells with an as-expected result of identical inputs in the cache's store. */
  reuse?: boolean;
  /** Again: a failed cell on fresh boots, up to N more times. */
  reruns?: number;
  /** Again: every cell N times in all. */
  repeat?: number;
  strict?: boolean;
  reporter?: string;
}

export interface ReproOptions extends BootOptions {
  matrix: string;
  jobs?: number;
  /** Where the cells booted again go; never the results dir being reproduced. */
  resultsDir: string;
  allowOutsideProject?: boolean;
}

export interface ShellOptions extends Pick<BootOptions, 'accel' | 'snapshot' | 'cacheDir' | 'mirror'> {
  allowOutsideProject?: boolean;
  matrix: string;
  /** Run this in the guest instead of an interactive shell. */
  command?: string;
  /** Follow the guest's kernel log in the terminal while the shell runs; default off. */
  kernelLog?: boolean;
}

export interface BisectOptions extends BootOptions {
  matrix: string;
  kernels?: string;
  arch?: string;
  config?: string;
  libc?: string;
  resultsDir: string;
  /** Results dirs of earlier runs: their cells with identical inputs are not booted again. */
  from?: string[];
  allowOutsideProject?: boolean;
}

function intOption(value: string): number {
  const n = Number(value);
  if (Number.isInteger(n) && n >= 0) return n;
  throw new CommanderError(ExitCode.usage, 'portmatrix.int', `expected a whole number, got "${value}"`);
}

interface Flag {
  flags: string;
  help: string;
  default?: unknown;
  parse?: (value: string) => unknown;
  choices?: readonly string[];
  group?: string;
}

const CELLS = 'Which cells:';
const SKIP = 'Skip cells that finished before with identical inputs (each from a different place):';
const AGAIN = 'Run a cell again (each for a different reason):';
const BOOT = 'How cells boot:';
const OUT = 'Results:';

const grouped = <T extends Record<string, Omit<Flag, 'group'>>>(group: string, flags: T) =>
  Object.fromEntries(Object.entries(flags).map(([k, f]) => [k, { ...f, group }])) as {
    [K in keyof T]: T[K] & Flag;
  };

const cellFlags = grouped(CELLS, {
  matrix: { flags: '-m, --matrix <file>', help: 'matrix file', default: 'matrix.yaml' },
  only: {
    flags: '--only <filter>',
    help: 'only cells matching key=value[,key=value] (keys: arch, kernel, config, libc, id)',
  },
  shard: { flags: '--shard <i/n>', help: 'only shard i of n (1-based)' },
  kernels: {
    flags: '--kernels <list>',
    help: 'comma-separated kernels, oldest first: names of the matrix or sources (default: bisect:, else kernels:)',
  },
  arch: { flags: '--arch <arch>', help: 'the arch to follow (needed when the matrix has several)' },
  config: { flags: '--config <name>', help: 'the config to follow (needed when the matrix has several)' },
  libc: { flags: '--libc <libc>', help: 'the libc to follow (needed when the matrix has several)' },
  // Refused in pull-request events unless the workflow opts in (docs/matrix.md).
  allowOutsideProject: { flags: '--allow-outside-project', help: 'the matrix may name files outside the project' },
  command: { flags: '--command <cmd>', help: 'run CMD in the guest instead of a shell; exit with its code' },
  kernelLog: { flags: '--kernel-log', help: "follow the guest's kernel log (dmesg), each line marked [kernel]" },
});

const skipFlags = grouped(SKIP, {
  // Each kept cell's inputs (kernel, programs, config, libc…) are identical to this run's.
  resume: { flags: '--resume', help: 'skip cells done in --results-dir before' },
  rerunFailed: { flags: '--rerun-failed', help: 'as --resume, but run failed, flaky, infra again' },
  reuse: { flags: '--reuse', help: "skip as-expected cells of any run (cache's store)" },
  from: { flags: '--from <results-dir...>', help: 'skip cells done in these results dirs before' },
});

const againFlags = grouped(AGAIN, {
  retries: { flags: '--retries <n>', help: 'after infra failures (not test ones)', default: 1, parse: intOption },
  reruns: { flags: '--reruns <n>', help: 'after a failure, up to N; pass = flaky', default: 0, parse: intOption },
  repeat: { flags: '--repeat <n>', help: 'every cell N times, for its pass rate', default: 1, parse: intOption },
});

const bootFlags = grouped(BOOT, {
  jobs: { flags: '-j, --jobs <n>', help: 'cells at once (default from cores and memory)', parse: intOption },
  accel: {
    flags: '--accel <mode>',
    help: 'acceleration (default: vm.accel, else auto)',
    choices: ['auto', 'kvm', 'tcg'],
  },
  snapshot: {
    flags: '--no-snapshot',
    help: 'boot every cell cold, not from a saved state of its boot (as vm.snapshot: off)',
  },
  cacheDir: {
    flags: '--cache-dir <dir>',
    help: 'kernel and package cache (default: $PORTMATRIX_CACHE, else ~/.cache/portmatrix)',
  },
  mirror: {
    flags: '--mirror <url>',
    help: 'Debian mirror (default: $PORTMATRIX_DEBIAN_MIRROR, else images.debianMirror, else deb.debian.org)',
  },
});

const outFlags = grouped(OUT, {
  resultsDir: { flags: '--results-dir <dir>', help: 'where results go', default: 'results' },
  reporter: { flags: '--reporter <list>', help: 'comma-separated: json,junit,html,markdown (default all)' },
  strict: { flags: '--strict', help: 'flaky cells fail the run (by default they do not)' },
  verbose: { flags: '-v, --verbose', help: "print each test's guest output as it runs" },
});

/** Every option of every command, by the property name the command receives. */
export const FLAGS = {
  ...cellFlags,
  ...skipFlags,
  ...againFlags,
  ...bootFlags,
  ...outFlags,
  json: { flags: '--json', help: 'machine-readable output' },
  explain: {
    flags: '--explain',
    help: "add what each cell's BPF objects need that its kernel lacks (as check; JSON: {cells, check})",
  },
  githubMatrix: { flags: '--github-matrix', help: 'JSON for a GitHub Actions strategy.matrix' },
  shards: { flags: '--shards <n>', help: 'with --github-matrix: split into N shards', parse: intOption },
  out: { flags: '-o, --out <dir>', help: 'output directory (default: the only input, or ./results-merged)' },
  base: { flags: '--base <dir>', help: 'results of the base branch, for the diff' },
  pr: { flags: '--pr <number>', help: 'pull request number (default from the GitHub event)' },
  reportUrl: { flags: '--report-url <url>', help: 'link to the HTML report artifact' },
  id: { flags: '--id <name>', help: 'marker suffix, for several matrices commenting on one pull request' },
  lock: {
    flags: '--lock <file...>',
    help: "other lock files whose entries ls names and prune keeps (besides the matrix's)",
  },
  force: { flags: '--force', help: 'overwrite existing files' },
  check: {
    flags: '--check',
    help: 'list the kernels and packages offered newer than the lock (exit 1 when any, 0 when none)',
  },
  changes: { flags: '--changes <file>', help: 'the lines `portmatrix lock --check` printed' },
  branch: { flags: '--branch <name>', help: 'the branch the lock change was pushed to (default portmatrix/kernels)' },
  into: { flags: '--into <branch>', help: 'the branch to merge into (default $GITHUB_REF_NAME, else main)' },
  update: { flags: '--update', help: 'move the lock to the newest builds (unchanged when a source cannot be reached)' },
  build: {
    flags: '--no-build',
    help: 'write the files without building the tests first (go generate, go build, go test -c, make)',
  },
} satisfies Record<string, Flag>;

export type FlagName = keyof typeof FLAGS;

/** What every command that boots cells takes: the run session's options (BootOptions). */
const SESSION_FLAGS = ['retries', 'accel', 'snapshot', 'cacheDir', 'mirror', 'verbose'] as const;

/** The options each command takes, in the order --help lists them within a group. */
export const COMMAND_FLAGS = {
  plan: ['matrix', 'only', 'json', 'githubMatrix', 'shards', 'explain', 'cacheDir', 'mirror', 'allowOutsideProject'],
  check: ['matrix', 'only', 'json', 'cacheDir', 'mirror', 'allowOutsideProject'],
  run: [
    'matrix',
    'only',
    'shard',
    'resume',
    'rerunFailed',
    'reuse',
    ...SESSION_FLAGS,
    'reruns',
    'repeat',
    'jobs',
    'resultsDir',
    'reporter',
    'strict',
    'allowOutsideProject',
  ],
  bisect: ['matrix', 'kernels', 'arch', 'config', 'libc', 'from', ...SESSION_FLAGS, 'resultsDir', 'allowOutsideProject'],
  repro: ['matrix', ...SESSION_FLAGS, 'jobs', 'resultsDir', 'allowOutsideProject'],
  shell: ['matrix', 'command', 'kernelLog', 'accel', 'snapshot', 'cacheDir', 'mirror', 'allowOutsideProject'],
  report: ['out', 'reporter', 'matrix', 'shards', 'only', 'allowOutsideProject'],
  comment: ['base', 'pr', 'reportUrl', 'id'],
  images: ['matrix', 'cacheDir', 'mirror', 'only', 'lock', 'allowOutsideProject'],
  lock: ['check', 'update', 'matrix', 'only', 'cacheDir', 'mirror', 'allowOutsideProject'],
  lockPr: ['changes', 'base', 'branch', 'into', 'reportUrl'],
  kernels: ['matrix', 'arch', 'json', 'cacheDir', 'mirror'],
  doctor: ['matrix', 'cacheDir'],
  init: ['force', 'build'],
} as const satisfies Record<string, readonly FlagName[]>;

/** A command's help line or default where it differs from the table's. */
export type FlagOverride = Partial<Pick<Flag, 'help' | 'default'>>;

/**
 * The commander Option for a table entry; commands list theirs in COMMAND_FLAGS.
 * `grouped`: under its help heading, for commands with options of several kinds.
 */
export function flagOption(name: FlagName, override: FlagOverride = {}, grouped = false): Option {
  const flag: Flag = { ...FLAGS[name], ...override };
  const option = new Option(flag.flags, flag.help);
  if (flag.default !== undefined) option.default(flag.default);
  if (flag.parse) option.argParser(flag.parse);
  if (flag.choices) option.choices(flag.choices);
  if (grouped && flag.group) option.helpGroup(flag.group);
  return option;
}

// Each options type holds exactly the flags its command is given: a mismatch does not compile.
type Exactly<T, K extends PropertyKey> = [Exclude<keyof T, K>, Exclude<K, keyof T>] extends [never, never] ? true : false;
type Holds<T extends true> = T;
export type RunFlagsMatch = Holds<Exactly<RunOptions, (typeof COMMAND_FLAGS.run)[number]>>;
export type BisectFlagsMatch = Holds<Exactly<BisectOptions, (typeof COMMAND_FLAGS.bisect)[number]>>;
export type ReproFlagsMatch = Holds<Exactly<ReproOptions, (typeof COMMAND_FLAGS.repro)[number]>>;
export type ShellFlagsMatch = Holds<Exactly<ShellOptions, (typeof COMMAND_FLAGS.shell)[number]>>;
