import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/core/cell.js';
import { compileSplatRules } from '../../src/outcome/splats.js';
import { inputsHash } from '../../src/run/resume-key.js';

describe('the --resume key', () => {
  it('changes with the splat rules (they change outcomes), and not when there are none', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-key-'));
    await writeFile(path.join(dir, 'loader.sh'), '#!/bin/sh\n');
    const cell: Cell = {
      id: 'amd64/debian-trixie/default', arch: 'amd64', kernel: { source: 'debian:trixie', name: 'debian-trixie' }, config: { name: 'default', cmdline: [], sysctl: {} },
      libc: 'static', tests: [], loader: { path: path.join(dir, 'loader.sh'), args: [], env: {}, files: [], timeoutSec: 60 },
    };
    const vm = { memory: 512, cpus: 1, bootTimeout: 60, accel: 'tcg' as const, backend: 'qemu' as const, network: false, snapshot: 'auto' as const };
    const plain = await inputsHash(cell, 'k', vm);
    expect(await inputsHash(cell, 'k', vm, compileSplatRules({ allow: [], deny: [] }))).toBe(plain);
    expect(await inputsHash(cell, 'k', vm, compileSplatRules({ allow: ['pm_selftest'], deny: [] }))).not.toBe(plain);
  });
});
