// PATH lookup, always against the caller's environment (the command's ctx.env),
// never the process's: tests point it at an empty or fake PATH.

import fs from 'node:fs';
import path from 'node:path';

/** Absolute path of the executable `command` on env.PATH, or undefined. */
export function which(command: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; next directory
    }
  }
  return undefined;
}
