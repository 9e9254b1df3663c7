import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { filterCells } from '../../src/plan/filter.js';
import { sample } from './cells.js';

const ids = (only: string) => filterCells(sample, only).map((c) => c.id);

describe('filterCells', () => {
  it('ANDs different keys', () => {
    expect(ids('arch=arm64,kernel=debian-trixie')).toEqual(['arm64/debian-trixie/lockdown']);
  });

  it('ORs a repeated key', () => {
    expect(ids('arch=s390x,arch=arm64,config=default')).toEqual([
      'arm64/debian-bookworm/default',
      's390x/debian-bookworm/default',
      's390x/debian-bullseye/default',
    ]);
  });

  it('matches a kernel by name, source or Debian series', () => {
    expect(ids('kernel=debian:trixie')).toEqual(['amd64/debian-trixie/default', 'arm64/debian-trixie/lockdown']);
    expect(ids('kernel=6.1,arch=amd64')).toEqual(['amd64/debian-bookworm/default']);
    expect(ids('kernel=5.10')).toEqual(['s390x/debian-bullseye/default']);
  });

  it('takes * globs, in ids and other values', () => {
    expect(ids('id=*/debian-trixie/*')).toEqual(['amd64/debian-trixie/default', 'arm64/debian-trixie/lockdown']);
    expect(ids('id=amd64/*')).toEqual(['amd64/debian-bookworm/default', 'amd64/debian-trixie/default']);
    expect(ids('config=lock*')).toEqual(['arm64/debian-trixie/lockdown']);
  });

  it('returns an empty list when the values exist but never together', () => {
    expect(ids('arch=amd64,config=lockdown')).toEqual([]);
  });

  it('rejects unknown keys, empty values and values no cell has', () => {
    expect(() => ids('os=linux')).toThrow(new UsageError('--only os=linux: unknown key "os"; valid keys are arch, kernel, config, libc, id, test'));
    expect(() => ids('arch=')).toThrow(/"arch=" has no value/);
    expect(() => ids('')).toThrow(/empty filter/);
    expect(() => ids('arch=riscv64')).toThrow('--only arch=riscv64: no cell has arch=riscv64; valid values are amd64, arm64, s390x');
  });
});
