import { describe, expect, it } from 'vitest';
import { compareDebianVersions, parseDebianVersion } from '../../src/images/apt/dpkg-version.js';

// Expected orderings from deb-version(7) and dpkg's own test suite (t-version.c).
const table: [string, '<' | '=' | '>', string][] = [
  ['1.0', '=', '1.0'],
  ['1.0', '=', '0:1.0'],
  ['1.0-0', '=', '1.0'],
  ['1.0', '<', '1.1'],
  ['1.2', '<', '1.10'],
  ['1.0~rc1', '<', '1.0'],
  ['1.0~~', '<', '1.0~'],
  ['1.0~', '<', '1.0'],
  ['1.0', '<', '1.0a'],
  ['1.0a', '<', '1.0+'],
  ['1.0+', '<', '1.0.'],
  ['1:0.1', '>', '9.9'],
  ['2.0-1', '<', '2.0-2'],
  ['2.0-10', '>', '2.0-9'],
  ['1.0-1+b1', '>', '1.0-1'],
  ['1.0-1~bpo12+1', '<', '1.0-1'],
  ['6.1.158-1', '>', '6.1.76-1'],
  ['6.12.117-1', '>', '6.12.48-1'],
  ['6.12.48+deb13-amd64', '<', '6.12.117+deb13-amd64'],
  ['7.2.13-1', '>', '6.12.117-1'],
  ['1:1.35.0-4+deb12u1+b1', '>', '1:1.35.0-4'],
  ['5.10.0-32', '>', '5.10.0-9'],
  ['a', '<', 'b'],
  ['00012', '=', '12'],
];

describe('compareDebianVersions', () => {
  it.each(table)('%s %s %s', (a, op, b) => {
    const c = Math.sign(compareDebianVersions(a, b));
    expect(c).toBe(op === '<' ? -1 : op === '=' ? 0 : 1);
    expect(Math.sign(compareDebianVersions(b, a))).toBe(-c || 0);
  });

  it('splits epoch, upstream and revision at the last hyphen', () => {
    expect(parseDebianVersion('1:2.3-4-5')).toEqual({ epoch: 1, upstream: '2.3-4', revision: '5' });
    expect(parseDebianVersion('2.3')).toEqual({ epoch: 0, upstream: '2.3', revision: '' });
  });

  it('sorts a real kernel version list newest first', () => {
    const versions = ['6.1.76-1', '6.1.158-1', '6.1.0~rc7-1~exp1', '6.1.153-1'];
    expect(versions.sort((a, b) => compareDebianVersions(b, a))).toEqual(['6.1.158-1', '6.1.153-1', '6.1.76-1', '6.1.0~rc7-1~exp1']);
  });
});
