// Before anything downloads or boots: the host tools the matrix's BTF settings need.
// pahole is checked where it is needed (only kernels without BTF under `auto`).

import { MissingToolError } from '../errors.js';
import type { Matrix } from '../config/matrix.js';
import { findBpftool } from './min.js';

export async function btfPreflight(matrix: Pick<Matrix, 'btf'>, env: NodeJS.ProcessEnv): Promise<void> {
  if (matrix.btf.objects.length > 0 && !findBpftool(env)) throw new MissingToolError('bpftool', 'bpftool');
}
