import { describe, expect, it } from 'vitest';
import { githubLog } from '../../src/github/ci-log.js';
import { cell as plannedCell } from '../helpers/cells.js';
import { cell } from './results.js';

const planCell = (id: string) => plannedCell({ id, kernel: { source: 'debian:bookworm', line: 4 } });

describe('githubLog', () => {
  it('groups and fences the output of a failed cell, and annotates matrix.yaml', () => {
    let log = '';
    const listen = githubLog({ write: (t) => (log += t), matrixFile: 'matrix.yaml' });
    const failed = {
      ...cell('amd64/debian-bookworm/default', 'fail', 'verifier rejection'),
      stdout: 'ok\n::error::pwned\n::add-mask::secret\n\x1b[31mred\x1b[0m\n',
    };
    listen({ type: 'result', cell: planCell(failed.id), result: failed });
    listen({
      type: 'result',
      cell: planCell('amd64/debian-trixie/default'),
      result: cell('amd64/debian-trixie/default', 'pass'),
    });
    listen.finish();

    const lines = log.split(/\r\n|\r|\n/);
    expect(lines[0]).toBe('::group::fail amd64/debian-bookworm/default: verifier rejection (4.2 s)');
    const token = lines[1]!.replace('::stop-commands::', '');
    const end = lines.indexOf(`::${token}::`);
    expect(lines.slice(2, end)).toEqual(expect.arrayContaining(['::error::pwned', '::add-mask::secret', 'red']));
    const ours = lines.filter((l, i) => l.startsWith('::') && (i < 2 || i >= end));
    expect(ours).toEqual([
      '::group::fail amd64/debian-bookworm/default: verifier rejection (4.2 s)',
      `::stop-commands::${token}`,
      `::${token}::`,
      '::endgroup::',
      '::error title=portmatrix fail,file=matrix.yaml,line=4::amd64/debian-bookworm/default: verifier rejection',
    ]);
    // A passing cell prints nothing here.
    expect(log).not.toContain('debian-trixie');
  });

  it('caps annotations at 10 and says how many were left out', () => {
    let log = '';
    const listen = githubLog({ write: (t) => (log += t) });
    for (let i = 0; i < 12; i++) {
      const id = `amd64/k${i}/default`;
      listen({ type: 'result', cell: planCell(id), result: cell(id, 'infra', 'kernel did not boot') });
    }
    listen.finish();
    expect(log.match(/^::warning /gm)).toHaveLength(10);
    expect(log).toContain('::notice::2 more annotation(s) not shown');
  });
});
