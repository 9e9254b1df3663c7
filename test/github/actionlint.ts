// Finds and runs actionlint for the workflow tests (test/github, test/init).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ACTIONLINT_INSTALL = 'go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12';

/** $ACTIONLINT, then PATH, then Go's default install dir. */
export function findActionlint(env = process.env): string {
  const candidates = [
    env.ACTIONLINT,
    ...(env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'actionlint')),
    env.GOPATH && path.join(env.GOPATH, 'bin', 'actionlint'),
    path.join(homedir(), 'go', 'bin', 'actionlint'),
  ];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found) throw new Error(`actionlint not found; install it with: ${ACTIONLINT_INSTALL} (needs the Go toolchain; puts it in $(go env GOPATH)/bin)`);
  return found;
}

/** Runs actionlint; shellcheck is switched off so the result does not depend on the host. */
export async function actionlint(cwd: string, files: string[]): Promise<{ code: number; output: string }> {
  const bin = findActionlint(); // throws naming the install command
  try {
    const { stdout, stderr } = await run(bin, ['-no-color', '-shellcheck=', ...files], { cwd });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, output: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}
