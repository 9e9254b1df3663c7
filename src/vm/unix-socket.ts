// Connecting to a unix socket QEMU listens on (inputs port, QMP): the socket appears a
// few ms after QEMU starts, so a missing or refusing socket is tried again until the deadline.

import { connect, type Socket } from 'node:net';

export async function connectWhenListening(socketPath: string, opts: { deadline: number; pollMs: number; signal?: AbortSignal }): Promise<Socket> {
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      return await open(socketPath);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ECONNREFUSED') && Date.now() < opts.deadline) {
        await new Promise((r) => setTimeout(r, opts.pollMs));
        continue;
      }
      throw err;
    }
  }
}

function open(socketPath: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    sock.once('error', reject);
    sock.once('connect', () => {
      sock.off('error', reject);
      resolve(sock);
    });
  });
}
