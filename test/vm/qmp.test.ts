// The QMP client against a local socket that behaves as QEMU does at its edges.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectQmp } from '../../src/vm/qmp.js';

let server: Server | undefined;
let dir: string | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function listen(onConnection: (sock: import('node:net').Socket) => void): Promise<string> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pm-qmp-'));
  const socket = path.join(dir, 'qmp');
  server = createServer(onConnection);
  await new Promise<void>((resolve) => server!.listen(socket, resolve));
  return socket;
}

describe('connectQmp', () => {
  it('fails when QEMU closes the connection before its greeting (it refused an incoming state and exited)', async () => {
    const socket = await listen((sock) => sock.destroy());
    await expect(connectQmp(socket, { timeoutMs: 2000 })).rejects.toThrow(/closed the monitor connection/);
  });

  it('negotiates capabilities after the greeting and runs commands in order', async () => {
    const socket = await listen((sock) => {
      sock.write('{"QMP": {"version": {}, "capabilities": []}}\n');
      sock.on('data', (d) => {
        for (const line of d.toString().split('\n').filter(Boolean)) {
          const cmd = JSON.parse(line) as { execute: string };
          sock.write(cmd.execute === 'query-status' ? '{"event": "RESUME"}\n{"return": {"status": "running"}}\n' : '{"return": {}}\n');
        }
      });
    });
    const qmp = await connectQmp(socket, { timeoutMs: 2000 });
    expect(await qmp.execute('query-status')).toEqual({ status: 'running' });
    qmp.close();
  });
});
