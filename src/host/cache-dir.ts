// Where the image cache lives. One resolver for `run`, `images` and `doctor`, so
// they never disagree about a relative $PORTMATRIX_CACHE or --cache-dir.

import os from 'node:os';
import path from 'node:path';

/**
 * --cache-dir, else $PORTMATRIX_CACHE, else $XDG_CACHE_HOME/portmatrix, else
 * ~/.cache/portmatrix; a relative one is relative to the command's cwd.
 */
export function resolveCacheDir(env: NodeJS.ProcessEnv, cwd: string, flag?: string): string {
  const chosen =
    flag ??
    env.PORTMATRIX_CACHE ??
    (env.XDG_CACHE_HOME ? path.join(env.XDG_CACHE_HOME, 'portmatrix') : path.join(env.HOME ?? os.homedir(), '.cache', 'portmatrix'));
  return path.resolve(cwd, chosen);
}
