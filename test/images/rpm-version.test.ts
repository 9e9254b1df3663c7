import { describe, expect, it } from 'vitest';
import { compareEvr, formatEvr, rpmvercmp } from '../../src/images/rpm/rpm-version.js';

// Expected results from rpm's own test suite (tests/rpmvercmp.at) and kernel
// versions of the distributions; every row was checked against rpm 4.18's
// `rpm --eval '%{lua: print(rpm.vercmp(a, b))}'`.
const table: [string, string, number][] = [
  ['1.0', '1.0', 0],
  ['1.0', '2.0', -1],
  ['2.0', '1.0', 1],
  ['2.0.1', '2.0', 1],
  ['2.0', '2.0.1', -1],
  ['2.0.1a', '2.0.1', 1],
  ['5.5p1', '5.5p2', -1],
  ['5.5p10', '5.5p1', 1],
  ['10xyz', '10.1xyz', -1],
  ['xyz10', 'xyz10.1', -1],
  ['xyz.4', '8', -1],
  ['8', 'xyz.4', 1],
  ['6.0.rc1', '6.0', 1],
  ['10b2', '10a1', 1],
  ['1.0a', '1.0aa', -1],
  ['10.0001', '10.1', 0],
  ['10.0001', '10.0039', -1],
  ['4.999.9', '5.0', -1],
  ['20101122', '20101121', 1],
  ['2_0', '2.0', 0],
  ['a+', 'a_', 0],
  ['+_', '_+', 0],
  ['+', '_', 0],
  ['1.0~rc1', '1.0', -1],
  ['1.0~rc1', '1.0~rc2', -1],
  ['1.0~rc1~git123', '1.0~rc1', -1],
  ['1.0^', '1.0', 1],
  ['1.0^git1', '1.0', 1],
  ['1.0^git1', '1.01', -1],
  ['1.0^20160101', '1.0.1', -1],
  ['1.0^20160102', '1.0^20160101^git1', 1],
  ['1.0~rc1^git1', '1.0~rc1', 1],
  ['1.0^git1~pre', '1.0^git1', -1],
  ['1b.fc17', '1.fc17', -1],
  ['1g.fc17', '1.fc17', 1],
  ['5.14.0-427.13.1.el9_4', '5.14.0-427.2.1.el9_4', 1],
  ['427.13.1.el9_4', '427.40.1.el9_4', -1],
  ['503.el9', '70.el9', 1],
  ['4.18.0', '4.18.0', 0],
  ['200.131.27.el9uek', '200.131.9.el9uek', 1],
  ['6.1.112-124.190.amzn2023', '6.1.115-126.197.amzn2023', -1],
  ['el9', 'el9_4', -1],
  ['1.el10', '1.el10_0', -1],
];

describe('rpmvercmp', () => {
  it.each(table)('%s vs %s → %i', (a, b, want) => {
    expect(rpmvercmp(a, b)).toBe(want);
    // The order is antisymmetric: swapping the sides flips the sign.
    expect(rpmvercmp(b, a)).toBe(-want || 0);
  });
});

describe('compareEvr', () => {
  it('orders by epoch first, then version, then release', () => {
    const evr = (epoch: string | undefined, version: string, release: string) => ({ epoch, version, release });
    expect(compareEvr(evr('1', '4.18.0', '1.el8'), evr(undefined, '5.14.0', '1.el9'))).toBe(1);
    expect(compareEvr(evr('0', '5.14.0', '503.el9'), evr(undefined, '5.14.0', '70.el9'))).toBe(1);
    expect(compareEvr(evr(undefined, '6.12.0', '55.el10'), evr('0', '6.12.0', '55.el10'))).toBe(0);
    expect(compareEvr(evr(undefined, '6.1.0', '1'), evr(undefined, '6.12.0', '1'))).toBe(-1);
  });

  it('prints the epoch only when it is not zero', () => {
    expect(formatEvr({ epoch: '0', version: '5.14.0', release: '503.el9' })).toBe('5.14.0-503.el9');
    expect(formatEvr({ epoch: '2', version: '1.0', release: '1' })).toBe('2:1.0-1');
  });
});
