// Host side of the inputs port: QEMU listens on a unix socket (profiles.ts,
// chardev server). We connect, write the framed inputs (guest/inputs.ts) and
// keep the connection: the guest sends its output blocks back on it as lines,
// then OUTPUT_DONE_MARKER, which we acknowledge so it may power off.

import type { Socket } from 'node:net';
import { OUTPUT_DONE_MARKER } from '../guest/inputs.js';
import { connectWhenListening } from './unix-socket.js';

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
  const sock = await connectWhenListening(socketPath, { deadline, pollMs: 10, signal: opts.signal });
  // QEMU going away is the normal end; errors after connecting are not ours to report.
  sock.on('error', () => sock.destroy());
  readLines(sock, opts.onLine);
  return { send: (bytes) => write(sock, bytes, Math.max(1, deadline - Date.now())) };
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
