// Host side of the inputs port: QEMU listens on a unix socket (profiles.ts,
// chardev server). We connect, write the framed inputs (guest/inputs.ts) and
// keep the connection: the guest sends its output blocks back on it as lines,
// then OUTPUT_DONE_MARKER, which we acknowledge so it may power off.

import { connect, type Socket } from 'node:net';
import { OUTPUT_DONE_MARKER } from '../guest/inputs.js';

export interface InputsOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Every line the guest sends back, without its newline. */
  onLine: (line: string) => void;
}

/** A connection to the guest's inputs port: output lines are read as they come. */
export interface InputsChannel {
  /** Writes the framed inputs; resolves once QEMU has taken them. */
  send(bytes: Buffer): Promise<void>;
}

/**
 * Connects to QEMU's chardev socket (retrying while QEMU is still creating it) and
 * keeps the connection open, reading lines, until QEMU closes it. Connect before the
 * guest waits for its inputs: with the host connected, the guest's read blocks until
 * the inputs arrive instead of returning EOF and polling (docs/snapshots.md).
 */
export async function openInputs(socketPath: string, opts: InputsOptions): Promise<InputsChannel> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    opts.signal?.throwIfAborted();
    let sock: Socket;
    try {
      sock = await open(socketPath);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // The socket appears a few ms after QEMU starts.
      if ((code === 'ENOENT' || code === 'ECONNREFUSED') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      throw err;
    }
    readLines(sock, opts.onLine);
    return { send: (bytes) => write(sock, bytes, Math.max(1, deadline - Date.now())) };
  }
}

function open(socketPath: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    sock.once('error', reject);
    sock.once('connect', () => {
      sock.off('error', reject);
      // QEMU going away is the normal end; errors after connecting are not ours to report.
      sock.on('error', () => sock.destroy());
      resolve(sock);
    });
  });
}

function readLines(sock: Socket, onLine: (line: string) => void): void {
  let partial = '';
  sock.setEncoding('utf8');
  sock.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line === OUTPUT_DONE_MARKER) sock.write('ack\n');
      else onLine(line);
    }
  });
  sock.on('end', () => {
    if (partial) onLine(partial);
    partial = '';
  });
}

function write(sock: Socket, bytes: Buffer, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`the guest did not take its inputs (${bytes.length} bytes) within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.write(bytes, (err) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    });
  });
}
