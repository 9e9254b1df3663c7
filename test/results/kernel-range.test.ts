import { describe, expect, it } from 'vitest';
import { passRanges, rangeText } from '../../src/results/kernel-range.js';
import type { CellResult } from '../../src/results/model.js';
import { cellResult } from '../helpers/cells.js';

const cell = (id: string, release: string, status: CellResult['status']) => cellResult({ id, kernel: { release }, status });

describe('kernel ranges', () => {
  it('names the oldest and newest kernel passed by release, not by name, and ignores skips', () => {
    const cells = [
      cell('amd64/sid/default', '6.17.8-amd64', 'pass'),
      cell('amd64/bookworm/default', '6.1.0-40-amd64', 'pass'),
      cell('amd64/bullseye/default', '5.10.0-32-amd64', 'fail'),
      cell('amd64/trixie/default', '6.12.57+deb13-amd64', 'xpass'),
      cell('s390x/bullseye/default', '', 'skip'),
      cell('s390x/trixie/default', '6.12.57+deb13-s390x', 'fail'),
    ];
    const ranges = passRanges(cells);
    expect(ranges).toEqual([
      { key: 'amd64/default', lowest: 'bookworm', highest: 'sid', passed: 3, ran: 4 },
      { key: 's390x/default', lowest: undefined, highest: undefined, passed: 0, ran: 1 },
    ]);
    expect(ranges.map(rangeText)).toEqual(['bookworm … sid (3 of 4 kernels)', 'passed on none of 1 kernel']);
  });
});
