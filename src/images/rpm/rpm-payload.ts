// An RPM's payload (a cpio archive in gzip, xz or zstd) unpacked without root:
// rpm2cpio decompresses, cpio writes the members into a scratch directory,
// never outside it (--no-absolute-filenames), with no owners kept.

import path from 'node:path';
import { requireTool, runPipe, type ToolEnv } from '../tools.js';

/**
 * Unpacks the members matching any of `patterns` (cpio's shell globs, matched
 * against `./usr/lib/...` names) into `dir`.
 */
export async function extractRpm(rpm: string, dir: string, patterns: readonly string[], tools: ToolEnv): Promise<void> {
  const rpm2cpio = requireTool('rpm2cpio', tools.env);
  const cpio = requireTool('cpio', tools.env);
  const args = ['-idm', '--quiet', '--no-absolute-filenames', '--no-preserve-owner', '-D', dir, ...patterns];
  await runPipe([rpm2cpio, [rpm]], [cpio, args], `unpacking ${path.basename(rpm)}`, tools);
}
