// Every setting that a flag, the environment and the matrix can all give is chosen
// in one order: flag, then environment, then matrix, then the default (docs/matrix.md).

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootSettings } from '../../src/engine/inputs-from-matrix.js';
import { resolveCacheDir } from '../../src/host/cache-dir.js';
import { defaultImageOptions } from '../../src/images/store.js';

const FLAG = 'http://flag.example/debian';
const ENV = 'http://env.example/debian';
const MATRIX = 'http://matrix.example/debian';

describe('precedence: flag, then environment, then matrix, then default', () => {
  it.each([
    [FLAG, ENV, MATRIX, FLAG],
    [undefined, ENV, MATRIX, ENV],
    [undefined, undefined, MATRIX, MATRIX],
    [undefined, undefined, undefined, 'https://deb.debian.org/debian'],
  ])('the Debian mirror: flag %s, environment %s, matrix %s → %s', (flag, env, matrix, chosen) => {
    const options = defaultImageOptions({ HOME: '/home/u', PORTMATRIX_DEBIAN_MIRROR: env }, '/p', {
      debianMirror: flag,
      matrixMirror: matrix,
    });
    expect(options.debianMirror).toBe(chosen);
  });

  it.each([
    ['flag', { PORTMATRIX_CACHE: '/env', XDG_CACHE_HOME: '/xdg' }, '/work/flag'],
    [undefined, { PORTMATRIX_CACHE: '/env', XDG_CACHE_HOME: '/xdg' }, '/env'],
    [undefined, { XDG_CACHE_HOME: '/xdg' }, '/xdg/portmatrix'],
    [undefined, { XDG_CACHE_HOME: '' }, path.join('/home/u', '.cache', 'portmatrix')],
  ])('the cache: --cache-dir %s with %j → %s', (flag, env, chosen) => {
    expect(resolveCacheDir({ HOME: '/home/u', ...env }, '/work', flag)).toBe(chosen);
  });

  it('acceleration and snapshots: the flag, else the matrix', () => {
    const vm = { accel: 'kvm', snapshot: 'auto' } as const;
    expect(bootSettings({ accel: 'tcg', snapshot: false }, vm)).toEqual({ accel: 'tcg', snapshot: 'off' });
    // commander's --no-snapshot leaves `snapshot: true` when not given: the matrix decides.
    expect(bootSettings({ snapshot: true }, vm)).toEqual({ accel: 'kvm', snapshot: 'auto' });
    expect(bootSettings({}, { accel: 'auto', snapshot: 'off' })).toEqual({ accel: 'auto', snapshot: 'off' });
  });
});
