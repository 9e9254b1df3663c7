// How many cells run at once by default: one per core (each QEMU gets -smp 1 under
// TCG, docs/facts.md), bounded by free memory (guest RAM + ~200 MiB of QEMU overhead each).

import os from 'node:os';

const QEMU_OVERHEAD_MIB = 200;

export function defaultJobs(memoryMiB: number, host = { cpus: os.availableParallelism(), freeMiB: os.freemem() / 2 ** 20 }): number {
  const byMemory = Math.floor(host.freeMiB / (memoryMiB + QEMU_OVERHEAD_MIB));
  return Math.max(1, Math.min(host.cpus, byMemory));
}
