// `portmatrix run`: plan → pre-flight checks → scheduler → results and reports.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadMatrix } from '../config/load.js';
import type { Context } from '../context.js';
import { VERSION } from '../version.js';
import { ExitCode, UsageError } from '../errors.js';
import { checkLoaderArch, readElf, type ElfInfo } from '../guest/elf.js';
import { requireCapHelper } from '../guest/initramfs.js';
import { libcPreflight } from '../libc/preflight.js';
import { createImageStore, defaultImageOptions } from '../images/store.js';
import type { Arch } from '../core/arch.js';
import type { Cell } from '../core/cell.js';
import { expandCells } from '../plan/expand.js';
import { filterCells } from '../plan/filter.js';
import { shardCells } from '../plan/shard.js';
import { REPORT_FILES, parseReporters, writeReports } from '../report/index.js';
import { appendStepSummary, renderMarkdown } from '../report/markdown.js';
import { renderTable } from '../report/terminal.js';
import { exitCodeFor } from '../report/view.js';
import { readCellResults, writeCellResult } from '../results/files.js';
import { SCHEMA_VERSION, type CellResult, type RunResults } from '../results/model.js';
import { chooseAccel, probeKvm } from '../vm/accel.js';
import { installReaper } from '../vm/process.js';
import { qemuBinary } from '../vm/profiles.js';
import { createProgress } from '../run/progress.js';
import type { RunEvent } from '../run/events.js';
import { githubLog } from '../github/ci-log.js';
import { defaultJobs } from '../run/jobs.js';
import { runCells } from '../run/scheduler.js';
import { requireQemu } from '../run/preflight.js';

export interface RunOptions {
  matrix: string;
  only?: string;
  shard?: string;
  jobs?: number;
  resultsDir: string;
  resume?: boolean;
  accel?: 'auto' | 'kvm' | 'tcg';
  retries: number;
  reporter?: string;
  cacheDir?: string;
  mirror?: string;
}

const pexec = promisify(execFile);

export default async function run(ctx: Context, opts: RunOptions): Promise<number> {
  const matrixFile = path.resolve(ctx.cwd, opts.matrix);
  const { matrix, warnings } = await loadMatrix(matrixFile, { checkLoaderFiles: true });
  for (const w of warnings) ctx.stderr.write(`warning: ${w}\n`);
  const reporters = parseReporters(opts.reporter);

  let cells: Cell[] = expandCells(matrix);
  if (opts.only) cells = filterCells(cells, opts.only);
  if (opts.shard) cells = shardCells(cells, opts.shard);
  if (cells.length === 0) throw new UsageError('no cells to run: the matrix, --only and --shard select nothing');

  // Pre-flight: user errors in milliseconds, before anything downloads or boots.
  const runnable = cells.filter((c) => !c.skip);
  for (const key of new Set(runnable.map((c) => `${c.arch}\0${c.loader.path}`))) {
    const [arch, loader] = key.split('\0') as [Arch, string];
    await checkLoaderArch(loader, arch);
  }
  await requireCapHelper(runnable);
  for (const line of await libcPreflight(runnable)) ctx.stderr.write(`note: ${line}\n`);
  const arches = [...new Set(runnable.map((c) => c.arch))];
  await requireQemu(arches, ctx.env);

  const resultsDir = path.resolve(ctx.cwd, opts.resultsDir);
  const previous = opts.resume ? await readCellResults(resultsDir) : undefined;
  if (!opts.resume) {
    // A fresh run: results of an earlier run must not mix into this one.
    await Promise.all(['cells', 'console', 'results.json'].map((p) => rm(path.join(resultsDir, p), { recursive: true, force: true })));
  }

  const imageOptions = defaultImageOptions(ctx.env, matrix.dir, {
    cacheDir: opts.cacheDir,
    cwd: ctx.cwd,
    debianMirror: opts.mirror,
    matrixMirror: matrix.images.debianMirror,
    signal: ctx.signal,
  });
  const live = Boolean(ctx.stderr.isTTY) && !ctx.env.CI;
  const progress = createProgress(ctx.stderr, live);
  // In GitHub Actions, bad cells also get a fenced log group and an annotation.
  const github = ctx.env.GITHUB_ACTIONS === 'true'
    ? githubLog({ write: (t) => ctx.stdout.write(t), matrixFile: path.relative(ctx.env.GITHUB_WORKSPACE ?? ctx.cwd, matrixFile) })
    : undefined;
  const emit = (event: RunEvent) => {
    progress.listener(event);
    github?.(event);
  };
  imageOptions.log = (line) => progress.listener({ type: 'log', level: 'info', message: line });
  const images = createImageStore(imageOptions);

  const accelMode = opts.accel ?? matrix.vm.accel;
  const accelByArch = new Map<Arch, Promise<'kvm' | 'tcg'>>();
  const accelFor = (cell: Cell, kernel: { kernelPath: string }) => {
    let accel = accelByArch.get(cell.arch);
    if (!accel) {
      accel = chooseAccel(cell.arch, accelMode, async () => {
        const busybox = await images.busybox(cell.arch);
        return probeKvm(kernel.kernelPath, busybox, cell.arch, ctx.env);
      }).then(({ accel, why }) => {
        progress.listener({ type: 'accel', arch: cell.arch, accel, why });
        return accel;
      });
      accelByArch.set(cell.arch, accel);
    }
    return accel;
  };
  const qemuVersions = new Map<Arch, Promise<string | undefined>>();
  const qemuVersion = (arch: Arch) => {
    let v = qemuVersions.get(arch);
    if (!v) {
      v = pexec(qemuBinary(arch), ['--version']).then(
        ({ stdout }) => /version ([^\s,]+)/.exec(stdout)?.[1],
        () => undefined,
      );
      qemuVersions.set(arch, v);
    }
    return v;
  };

  // The loader's ELF decides libc cells; read each loader once, not once per cell.
  const loaderElfs = new Map<string, Promise<ElfInfo | undefined>>();
  const loaderElf = (file: string) => {
    let elf = loaderElfs.get(file);
    if (!elf) {
      elf = readElf(file).catch(() => undefined);
      loaderElfs.set(file, elf);
    }
    return elf;
  };

  // Scratch initramfs files, one directory per run (the pid in its name lets tests
  // find this run's QEMUs), removed when the run ends.
  const workDir = await mkdtemp(path.join(os.tmpdir(), `portmatrix-${process.pid}-`));
  installReaper();
  const startedAt = new Date().toISOString();
  const jobs = opts.jobs && opts.jobs > 0 ? opts.jobs : defaultJobs(matrix.vm.memory);
  progress.listener({ type: 'log', level: 'info', message: `running ${cells.length} cell(s), ${jobs} at a time; results in ${path.relative(ctx.cwd, resultsDir) || '.'}` });
  const { results, unfinished } = await runCells(cells, {
    jobs,
    retries: opts.retries,
    previous,
    persist: (result: CellResult) => writeCellResult(resultsDir, result),
    images,
    resultsDir,
    workDir,
    vm: matrix.vm,
    accelFor,
    qemuVersion,
    loaderElf,
    env: ctx.env,
    signal: ctx.signal,
    emit,
  }).finally(async () => {
    progress.close();
    github?.finish();
    await rm(workDir, { recursive: true, force: true });
  });

  const model: RunResults = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'portmatrix', version: VERSION },
    matrix: path.relative(resultsDir, matrixFile),
    startedAt,
    finishedAt: new Date().toISOString(),
    host: { arch: os.arch(), cpus: os.availableParallelism(), node: process.version },
    configs: matrix.configs.map((c) => c.name),
    cells: results,
  };
  await writeReports(resultsDir, model, reporters);
  ctx.stdout.write(`\n${renderTable(model, { color: Boolean(ctx.stdout.isTTY) && !ctx.env.NO_COLOR, width: ctx.stdout.columns })}\n`);
  ctx.stdout.write(`reports: ${reporters.map((r) => path.join(path.relative(ctx.cwd, resultsDir), REPORT_FILES[r])).join(', ')}\n`);
  if (ctx.env.GITHUB_STEP_SUMMARY) await appendStepSummary(ctx.env, renderMarkdown(model, {}));

  if (unfinished.length > 0) {
    ctx.stderr.write(
      `interrupted: ${results.length} cell(s) finished and kept, ${unfinished.length} not run; ` +
        `finish with: portmatrix run --resume${opts.resultsDir !== 'results' ? ` --results-dir ${opts.resultsDir}` : ''}\n`,
    );
    return ExitCode.interrupted;
  }
  return exitCodeFor(model);
}
