// Runs one cell once: kernel → initramfs → QEMU → framed guest report → outcome.
// The only place that ties images, guest and vm together; everything it calls is
// either pure (argv, /init, frames, outcome) or owns one resource (download, process).

import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MatrixVm } from '../config/matrix.js';
import { FrameParser } from '../guest/frames.js';
import { initScript } from '../guest/init-script.js';
import { buildInitramfs } from '../guest/initramfs.js';
import type { ImageStore, ResolvedKernel } from '../images/types.js';
import type { Cell } from '../plan/cell.js';
import { consoleLogPath, cellFileStem } from '../results/files.js';
import type { CellResult } from '../results/model.js';
import { runVm } from '../vm/process.js';
import { qemuCommand } from '../vm/profiles.js';
import type { RunListener } from './events.js';
import { decideOutcome } from './outcome.js';

export interface CellDeps {
  images: ImageStore;
  resultsDir: string;
  /** Scratch space for initramfs files; removed after each attempt. */
  workDir: string;
  vm: MatrixVm;
  accelFor: (cell: Cell, kernel: ResolvedKernel) => Promise<'kvm' | 'tcg'>;
  qemuVersion: (arch: Cell['arch']) => Promise<string | undefined>;
  signal: AbortSignal;
  emit: RunListener;
}

/**
 * TCG is an emulator: boots take seconds instead of fractions, and s390x runs at about
 * half the speed of the others here (FACTS.md). Deadlines scale so slow is not "hung".
 */
export function deadlines(cell: Cell, vm: MatrixVm, accel: 'kvm' | 'tcg') {
  const scale = accel === 'kvm' ? 1 : cell.arch === 's390x' ? 3 : 2;
  const bootSec = vm.bootTimeout * scale;
  // After the loader ends the guest still prints its output and powers off.
  const totalSec = bootSec + cell.loader.timeoutSec * (accel === 'kvm' ? 1 : 1.5) + 30;
  return { bootSec, totalSec };
}

export async function runCellOnce(cell: Cell, kernel: ResolvedKernel, attempt: number, deps: CellDeps): Promise<CellResult> {
  const started = Date.now();
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
  const initrdBytes = await buildInitramfs({ arch: cell.arch, busybox, loader: cell.loader.path, files: cell.loader.files, init, libcDir });
  await mkdir(deps.workDir, { recursive: true });
  const initrd = path.join(deps.workDir, `${cellFileStem(cell.id)}.${token}.cpio.gz`);
  await writeFile(initrd, initrdBytes);

  const { binary, args } = qemuCommand({
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
    kernel: {
      source: cell.kernel.source,
      name: cell.kernel.name,
      release: kernel.release,
      package: kernel.package,
      version: kernel.version,
      sha256: kernel.sha256,
      facts: kernel.facts,
    },
    config: cell.config.name,
    libc: cell.libc,
    status: outcome.status,
    reason: outcome.reason,
    expected: cell.expect,
    accel,
    backend: 'qemu',
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
