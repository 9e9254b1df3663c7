// Picking one cell for a one-cell command: id, unique prefix, --only-style filter;
// the candidates when none or several match; why a skipped cell cannot be picked.

import { describe, expect, it } from 'vitest';
import { expandCells } from '../../src/plan/expand.js';
import { pickCell } from '../../src/plan/pick.js';
import { matrixFrom } from './helpers.js';

const MATRIX =
  'kernels: [debian:bullseye, debian:trixie]\narches: [arm64, s390x]\n' +
  'configs: [{name: default}, {name: nonroot, user: nobody}]\n' +
  'loader: {path: "loader-{arch}"}\n';
const cells = async () => expandCells((await matrixFrom(MATRIX)).matrix);

describe('pickCell', () => {
  it('takes an id, a unique prefix or a filter', async () => {
    const all = await cells();
    expect(pickCell(all, 'arm64/debian-trixie/nonroot').id).toBe('arm64/debian-trixie/nonroot');
    expect(pickCell(all, 'arm64/debian-trixie/non').id).toBe('arm64/debian-trixie/nonroot');
    expect(pickCell(all, 'arch=arm64,kernel=6.12,config=default').id).toBe('arm64/debian-trixie/default');
  });

  it('lists the candidates when several match, and every cell when none does', async () => {
    const all = await cells();
    expect(() => pickCell(all, 'arm64/debian-trixie')).toThrow(
      '2 cells match arm64/debian-trixie; name one of them:\n' + '  arm64/debian-trixie/default\n  arm64/debian-trixie/nonroot',
    );
    expect(() => pickCell(all, 'amd64')).toThrow(`no cell matches amd64; the cells are (portmatrix plan):\n  ${all[0]!.id}\n`);
  });

  it('says why a skipped cell cannot be picked', async () => {
    const all = await cells();
    const skipped = all.find((c) => c.skip)!;
    expect(skipped.id).toBe('s390x/debian-bullseye/default');
    expect(() => pickCell(all, skipped.id)).toThrow(`cell ${skipped.id} is skipped: ${skipped.skip}`);
  });
});
