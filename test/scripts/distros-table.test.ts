// `npm run distros` prints one row a cell from results.json: what portmatrix resolved,
// the status (a skip with its reason) and the guest's own `uname -r`; nothing else.

import { describe, expect, it } from 'vitest';
import { distrosTable } from '../../scripts/distros-table.js';
import { cellResult, runResults } from '../helpers/cells.js';

describe('the distros table', () => {
  it('shows each cell in id order with its package, version, status and the guest uname -r', () => {
    const results = runResults([
      cellResult({
        id: 's390x/amazonlinux-2023/default',
        kernel: { source: 'amazonlinux:2023' },
        status: 'skip',
        reason: 'Amazon Linux 2023 is not built for s390x (it builds x86_64, aarch64)',
      }),
      cellResult({
        id: 'amd64/fedora-43/default',
        kernel: { source: 'fedora:43', package: 'kernel-core', version: '6.17.9-200.fc43.x86_64' },
        accel: 'kvm',
        guest: { unameR: '6.1.0-50-amd64' },
      }),
      cellResult({
        id: 'arm64/ubuntu-jammy/default',
        kernel: { source: 'ubuntu:jammy', package: 'linux-image-unsigned-6.1.0-50-generic', version: '6.1.0-50.60' },
        status: 'fail',
        reason: 'exit 1 | see `log`',
        accel: 'tcg',
      }),
    ]);
    expect(distrosTable(results)).toEqual([
      '| cell | source | kernel package, version | status | `uname -r` in the guest |',
      '|---|---|---|---|---|',
      '| `amd64/fedora-43/default` | `fedora:43` | `kernel-core` `6.17.9-200.fc43.x86_64` | pass (kvm) | `6.1.0-50-amd64` |',
      '| `arm64/ubuntu-jammy/default` | `ubuntu:jammy` | `linux-image-unsigned-6.1.0-50-generic` `6.1.0-50.60` | fail: exit 1 \\| see \\`log\\` (tcg) | — |',
      '| `s390x/amazonlinux-2023/default` | `amazonlinux:2023` | — | skip: Amazon Linux 2023 is not built for s390x \\(it builds x86\\_64, aarch64\\) | — |',
    ]);
  });
});
