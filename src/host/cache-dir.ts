// Where the image cache lives. One resolver for `run`, `images` and `doctor`, so
// they never disagree about a relative $PORTMATRIX_CACHE or --cache-dir.

import os from 'node:os';
import path from 'node:path';
import { chooseSetting } from '../core/precedence.js';

/**
 * --cache-dir, else $PORTMATRIX_CACHE, else $XDG_CACHE_HOME/portmatrix, else
 * ~/.cache/portmatrix; a relative one is relative to the command's cwd.
 */
export function resolveCacheDir(env: NodeJS.ProcessEnv, cwd: string, flag?: string): string {
  const home = env.XDG_CACHE_HOME || path.join(env.HOME ?? os.homedir(), '.cache');
  return path.resolve(cwd, chooseSetting({ flag, env: env.PORTMATRIX_CACHE, fallback: path.join(home, 'portmatrix') }));
}
