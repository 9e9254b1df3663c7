// Before anything downloads or boots: what the matrix's BTF settings need on this
// host — bpftool for `btf.objects`, and objects that exist for every arch (a
// located error, as the other matrix checks give). pahole is checked where it is
// needed: only kernels without BTF under `auto` or `min`.

import fs from 'node:fs';
import path from 'node:path';
import type { Matrix } from '../config/matrix.js';
import { fillPlaceholders } from '../config/semantic.js';
import { ConfigError, MissingToolError } from '../errors.js';
import { filesOf } from '../plan/files.js';
import { findBpftool } from './min.js';

type BtfMatrix = Pick<Matrix, 'btf' | 'arches' | 'file' | 'dir' | 'globbed'>;

export function btfPreflight(matrix: BtfMatrix, env: NodeJS.ProcessEnv, cwd: string): void {
  const { objects, objectsAt } = matrix.btf;
  if (objects.length === 0) return;
  objects.forEach((pattern, i) => {
    for (const arch of matrix.arches) {
      if (filesOf(matrix, fillPlaceholders(pattern, arch)).some((f) => fs.existsSync(f))) continue;
      const at = objectsAt?.[i] ?? { line: 1, col: 1 };
      const shown = path.relative(matrix.dir, fillPlaceholders(pattern, arch));
      throw new ConfigError(
        path.relative(cwd, matrix.file) || matrix.file,
        at.line,
        at.col,
        `btf.objects[${i}]`,
        `${shown} matches no file for ${arch}`,
        'build the BPF objects first, or fix the path or glob (relative to the matrix file)',
      );
    }
  });
  if (!findBpftool(env)) throw new MissingToolError('bpftool', 'bpftool');
}
