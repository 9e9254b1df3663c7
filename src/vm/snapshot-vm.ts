// The two QMP conversations of snapshot boots (docs/snapshots.md):
//   saveState    a cold guest at READY: stop, migrate to a file, cont
//   awaitRestore a guest started with -incoming: wait for the state, cont
// The guest is stopped before migrating, so the file is written in one pass
// (no pages re-sent while the guest runs) and a restored guest starts paused
// until we are ready to talk to it.

import { shQuote } from '../guest/init-script.js';
import { connectQmp, waitMigration } from './qmp.js';

/** QEMU's default migration bandwidth cap (128 MiB/s in 7.2) would slow a local file down. */
const UNLIMITED_BANDWIDTH = Number.MAX_SAFE_INTEGER;

/**
 * Saves the state of the VM behind `qmpSocket` to `file` and resumes it.
 * Resolves with the milliseconds the save took; on failure the VM is resumed
 * anyway (the cell it belongs to still runs) and the error is thrown.
 */
export async function saveState(qmpSocket: string, file: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<number> {
  const qmp = await connectQmp(qmpSocket, { timeoutMs: opts.timeoutMs, signal: opts.signal });
  const t0 = Date.now();
  try {
    await qmp.execute('stop');
    await qmp.execute('migrate-set-parameters', { 'max-bandwidth': UNLIMITED_BANDWIDTH });
    await qmp.execute('migrate', { uri: `exec:cat > ${shQuote(file)}` });
    await waitMigration(qmp, opts.timeoutMs, 20);
    return Date.now() - t0;
  } finally {
    await qmp.execute('cont').catch(() => {});
    qmp.close();
  }
}

/** Waits until the incoming state is loaded (QMP query-migrate: completed), then resumes the guest. */
export async function awaitRestore(qmpSocket: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
  const qmp = await connectQmp(qmpSocket, { timeoutMs: opts.timeoutMs, signal: opts.signal });
  try {
    // s390x loses console and port input written before the load completes.
    await waitMigration(qmp, opts.timeoutMs, 5);
    await qmp.execute('cont');
  } finally {
    qmp.close();
  }
}
