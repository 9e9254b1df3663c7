// The cell's inputs as one framed stream for the guest's base /init (base-init.ts):
//   PMIN1 <archive bytes> <unix seconds> <hex seed>\n<newc cpio of that many bytes>
// Staged files may come before it (pmcell only, boot/staged-files.ts):
//   PMST1 <archive bytes>\n<newc cpio>   the guest unpacks it, prints STAGED_MARKER
//   and waits for the next header, so the host can snapshot it holding the files.
// The guest's output blocks come back on the same port as console-style lines.
// Pure: the caller gives the clock and the random seed. The stream travels over a
// virtio-serial port that is not part of any snapshot, so nothing in it (token,
// loader, files, entropy) is shared between cells.

import { type CpioEntry, writeCpio } from './cpio.js';

/**
 * The port carries the cell's output blocks back (init-script.ts); after them the
 * guest writes this line and waits for any line from the host before powering off.
 */
export const OUTPUT_DONE_MARKER = '@@portmatrix-output-done';

/** Bytes of host randomness the guest mixes into its pool. */
export const SEED_BYTES = 64;

export interface InputsHeader {
  /** Seconds since the epoch the guest sets its clock to. */
  unixSeconds: number;
  /** Fresh random bytes (SEED_BYTES) for the guest's entropy pool. */
  seed: Buffer;
}

export function inputsStream(entries: CpioEntry[], h: InputsHeader): Buffer {
  if (h.seed.length < 16) throw new Error(`inputs seed too short: ${h.seed.length} bytes`);
  const archive = writeCpio(entries);
  const header = `PMIN1 ${archive.length} ${Math.floor(h.unixSeconds)} ${h.seed.toString('hex')}\n`;
  return Buffer.concat([Buffer.from(header, 'ascii'), archive]);
}

/** The staged form: files only, no clock or seed (a snapshot taken after it is shared by cells). */
export function stagedStream(entries: CpioEntry[]): Buffer {
  const archive = writeCpio(entries);
  return Buffer.concat([Buffer.from(`PMST1 ${archive.length}\n`, 'ascii'), archive]);
}
