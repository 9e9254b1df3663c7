// Runs one cell once: kernel → initramfs → QEMU → framed guest report → outcome.
// The only place that ties images, guest and vm together; everything it calls is
// either pure (argv, /init, frames, outcome) or owns one resource (download, process).

import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MatrixVm } from '../config/matrix.js';
import { FrameParser } from '../guest/frames.js';
import { initScript } from '../guest/init-script.js';
import type { ElfInfo } from '../guest/elf.js';
import { buildInitramfs, capHelperPath } from '../guest/initramfs.js';
import { libcFit } from '../libc/fit.js';
import { glibcVersionOfTree } from '../libc/glibc.js';
import type { ImageStore, ResolvedKernel } from '../images/types.js';
import type { Cell } from '../core/cell.js';
import { consoleLogPath, cellFileStem } from '../results/files.js';
import type { CellResult } from '../results/model.js';
import { runVm } from '../vm/process.js';
import { qemuCommand } from '../vm/profiles.js';
import type { RunListener } from './events.js';
import { decideOutcome } from './outcome.js';
import { kernelOf, notBooted } from './result-base.js';
import { vngCellCommand } from './vng-runner.js';
import { explainPermission } from './reason.js';

export interface CellDeps {
  images: ImageStore;
  resultsDir: string;
  /** Scratch space for initramfs files; removed after each attempt. */
  workDir: string;
  vm: MatrixVm;
  accelFor: (cell: Cell, kernel: ResolvedKernel) => Promise<'kvm' | 'tcg'>;
  qemuVersion: (arch: Cell['arch']) => Promise<string | undefined>;
  /** The loader's ELF (undefined for scripts), read once per run: every cell of an arch shares it. */
  loaderElf: (path: string) => Promise<ElfInfo | undefined>;
  /** The command's environment: QEMU and vng run with it, vng is looked up on its PATH. */
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  emit: RunListener;
}

/**
 * TCG is an emulator: boots take seconds instead of fractions, and s390x runs at about
 * half the speed of the others here (FACTS.md). Deadlines scale so slow is not "hung".
 */
export function deadlines(cell: Cell, vm: MatrixVm, accel: 'kvm' | 'tcg') {
  // vng also boots udev and the host's userspace over virtiofs: ~3x a bare boot (FACTS.md).
  const scale = (accel === 'kvm' ? 1 : cell.arch === 's390x' ? 3 : 2) * (vm.backend === 'vng' ? 2 : 1);
  const bootSec = vm.bootTimeout * scale;
  // After the loader ends the guest still prints its output and powers off.
  const totalSec = bootSec + cell.loader.timeoutSec * (accel === 'kvm' ? 1 : 1.5) + 30;
  return { bootSec, totalSec };
}

export async function runCellOnce(cell: Cell, kernel: ResolvedKernel, attempt: number, deps: CellDeps): Promise<CellResult> {
  const started = Date.now();
  // libc axis: the loader's own ELF says whether this libc cell can apply at all.
  const elf = await deps.loaderElf(cell.loader.path);
  const shipped = cell.loader.files.map((f) => path.basename(f));
  const fit = elf ? libcFit(elf, cell.libc, { shipped }) : undefined;
  if (fit?.kind === 'skip') return notBooted(cell, 'skip', fit.why, { kernel, totalMs: Date.now() - started });
  const accel = await deps.accelFor(cell, kernel);
  const [busybox, libcDir] = await Promise.all([
    deps.images.busybox(cell.arch),
    cell.libc === 'static' ? undefined : deps.images.libc(cell.libc.replace(/^debian:/, ''), cell.arch),
  ]);

  const token = randomBytes(8).toString('hex');
  const init = initScript({
    token,
    args: cell.loader.args,
    env: cell.loader.env,
    timeoutSec: cell.loader.timeoutSec,
    sysctl: cell.config.sysctl,
    user: cell.config.user,
    capabilities: cell.config.capabilities,
  });
  const capHelper = cell.config.capabilities !== undefined ? capHelperPath(cell.arch) : undefined;
  const initrdBytes = await buildInitramfs({ arch: cell.arch, busybox, loader: cell.loader.path, files: cell.loader.files, init, libcDir, capHelper });
  await mkdir(deps.workDir, { recursive: true });
  const initrd = path.join(deps.workDir, `${cellFileStem(cell.id)}.${token}.cpio.gz`);
  await writeFile(initrd, initrdBytes);

  const { binary, args } =
    deps.vm.backend === 'vng'
      ? vngCellCommand({ cell, accel, kernelPath: kernel.kernelPath, initrd, vm: deps.vm, env: deps.env })
      : qemuCommand({
          arch: cell.arch,
          accel,
          kernel: kernel.kernelPath,
          initrd,
          cmdline: cell.config.cmdline,
          memoryMiB: deps.vm.memory,
          cpus: deps.vm.cpus,
          network: deps.vm.network,
        });
  const { bootSec, totalSec } = deadlines(cell, deps.vm, accel);
  const consoleLog = consoleLogPath(deps.resultsDir, cell.id);
  await mkdir(path.dirname(consoleLog), { recursive: true });

  deps.emit({ type: 'boot', cell, accel, attempt });
  const parser = new FrameParser(token);
  const spawnedAt = Date.now();
  let loaderStartAt: number | undefined;
  let loaderEndAt: number | undefined;
  const exit = await runVm({
    binary,
    args,
    consoleLog,
    deadlineMs: totalSec * 1000,
    bootDeadlineMs: bootSec * 1000,
    env: deps.env,
    signal: deps.signal,
    booted: (line) => line.includes(`@@portmatrix:${token} phase=init`),
    onLine: (line) => {
      for (const event of parser.push(`${line}\n`)) {
        if (event.type !== 'phase') continue;
        if (event.name === 'loader-start' && loaderStartAt === undefined) {
          loaderStartAt = Date.now();
          deps.emit({ type: 'loader', cell, phase: 'start' });
        } else if (event.name === 'loader-end' && loaderEndAt === undefined) {
          loaderEndAt = Date.now();
          deps.emit({ type: 'loader', cell, phase: 'end' });
        }
      }
    },
  }).finally(() => rm(initrd, { force: true }));
  const report = parser.end();

  const outcome = decideOutcome(cell, {
    spawnError: exit.spawnError,
    bootTimedOut: exit.bootTimedOut,
    timedOut: exit.timedOut,
    qemuCode: exit.code,
    loaderStarted: report.loaderStarted,
    exitCode: report.exitCode,
    loaderTimedOut: report.timedOut,
    stdout: report.stdout,
    stderr: report.stderr,
    dmesg: report.dmesg,
    consoleTail: exit.consoleTail,
    bootDeadlineSec: bootSec,
    loaderTimeoutSec: cell.loader.timeoutSec,
    lockdown: report.facts.lockdown,
  });
  return {
    id: cell.id,
    arch: cell.arch,
    kernel: kernelOf(cell, kernel),
    config: cell.config.name,
    libc: cell.libc,
    status: outcome.status,
    reason: withSysctlErrors(await explainReason(outcome.reason, report.facts, elf, cell, libcDir, shipped), report.sysctlErrors, outcome.status),
    expected: cell.expect,
    accel,
    backend: deps.vm.backend,
    timings: {
      bootMs: loaderStartAt !== undefined ? loaderStartAt - spawnedAt : undefined,
      loaderMs: loaderStartAt !== undefined && loaderEndAt !== undefined ? loaderEndAt - loaderStartAt : undefined,
      totalMs: Date.now() - started,
    },
    exitCode: report.exitCode,
    timedOut: exit.timedOut || report.timedOut,
    bootFailed: outcome.bootFailed,
    attempts: attempt,
    stdout: report.stdout,
    stderr: report.stderr,
    dmesg: report.dmesg,
    consoleTail: outcome.status === 'pass' ? '' : exit.consoleTail,
    guest: report.facts,
    qemuVersion: await deps.qemuVersion(cell.arch),
    consoleLog: path.relative(deps.resultsDir, consoleLog),
    startedAt: new Date(started).toISOString(),
  };
}

/** The outcome's reason, with who the loader ran as (permissions) or what the pre-boot libc check predicted. */
async function explainReason(
  reason: string | undefined,
  facts: CellResult['guest'],
  elf: ElfInfo | undefined,
  cell: Cell,
  libcDir: string | undefined,
  shipped: string[],
): Promise<string | undefined> {
  if (reason?.startsWith('libc mismatch') && elf && libcDir) {
    const fit = libcFit(elf, cell.libc, { glibc: await glibcVersionOfTree(libcDir), shipped });
    if (fit.kind === 'fails') return `${reason} (pre-boot check: ${fit.why})`;
  }
  return explainPermission(reason, facts);
}

/** A sysctl the guest kernel refused changes what the cell tested: a failing cell says so. */
function withSysctlErrors(reason: string | undefined, errors: string[], status: CellResult['status']): string | undefined {
  if (!errors.length || status === 'pass' || status === 'skip' || status === 'infra') return reason;
  const note = `sysctl not applied: ${errors.join('; ')}`;
  return reason ? `${reason} (${note})` : note;
}
