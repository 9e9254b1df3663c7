// A minimal QMP client (https://www.qemu.org/docs/master/interop/qmp-spec.html):
// connect to QEMU's monitor socket, negotiate, run commands one at a time.
// Events are ignored; snapshots only need migrate, query-migrate, cont and quit.

import type { Socket } from 'node:net';
import { connectWhenListening } from './unix-socket.js';

export class QmpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QmpError';
  }
}

export interface Qmp {
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T>;
  close(): void;
}

/** Connects (retrying while QEMU creates the socket) and leaves capabilities negotiation done. */
export async function connectQmp(socketPath: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<Qmp> {
  const deadline = Date.now() + opts.timeoutMs;
  const sock = await connectWhenListening(socketPath, { deadline, pollMs: 20, signal: opts.signal });
  const qmp = session(sock);
  await qmp.greeting;
  await qmp.execute('qmp_capabilities');
  return qmp;
}

interface QmpMessage {
  QMP?: unknown;
  event?: string;
  return?: unknown;
  error?: { class: string; desc: string };
}

/** Calls `onMessage` with each line QEMU sends, parsed, or with a QmpError for a line that is not JSON. */
function readMessages(sock: Socket, onMessage: (msg: QmpMessage | QmpError) => void): void {
  let buffer = '';
  sock.setEncoding('utf8');
  sock.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line) continue;
      let msg: QmpMessage;
      try {
        msg = JSON.parse(line) as QmpMessage;
      } catch {
        onMessage(new QmpError(`QEMU sent a line that is not JSON: ${line.slice(0, 80)}`));
        continue;
      }
      onMessage(msg);
    }
  });
}

function session(sock: Socket): Qmp & { greeting: Promise<void> } {
  let onGreeting: (() => void) | undefined;
  let noGreeting: ((err: Error) => void) | undefined;
  // QEMU may close the connection before greeting (a guest whose incoming state it
  // refused exits right after accepting us): that must fail the connect, not hang it.
  const greeting = new Promise<void>((resolve, reject) => ((onGreeting = resolve), (noGreeting = reject)));
  // QMP answers in order; events ({"event": ...}) are interleaved and skipped.
  const pending: { resolve: (v: unknown) => void; reject: (e: Error) => void }[] = [];
  const failAll = (err: Error) => {
    noGreeting?.(err);
    for (const p of pending.splice(0)) p.reject(err);
  };
  readMessages(sock, (msg) => {
    if (msg instanceof QmpError) failAll(msg);
    else if (msg.QMP) onGreeting?.();
    else if (msg.event) return;
    else if (msg.error) pending.shift()?.reject(new QmpError(`${msg.error.class}: ${msg.error.desc}`));
    else pending.shift()?.resolve(msg.return);
  });
  let closed: Error | undefined;
  sock.on('error', (err) => failAll(err));
  sock.on('close', () => failAll((closed = new QmpError('QEMU closed the monitor connection'))));
  return {
    greeting,
    execute<T>(command: string, args?: Record<string, unknown>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (closed) return reject(closed);
        pending.push({ resolve: resolve as (v: unknown) => void, reject });
        sock.write(`${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`);
      });
    },
    close: () => sock.destroy(),
  };
}

export interface MigrateStatus {
  status: string;
  'error-desc'?: string;
}

/** Polls query-migrate until it completes; throws on failed/cancelled or at the deadline. */
export async function waitMigration(qmp: Qmp, timeoutMs: number, pollMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const st = await qmp.execute<MigrateStatus>('query-migrate');
    if (st.status === 'completed') return;
    if (st.status === 'failed' || st.status === 'cancelled') throw new QmpError(`migration ${st.status}${st['error-desc'] ? `: ${st['error-desc']}` : ''}`);
    if (Date.now() > deadline) throw new QmpError(`migration still ${st.status || 'not started'} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
