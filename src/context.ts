// What every command receives: no process globals inside commands (STYLE.md 7).

export interface Context {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  signal: AbortSignal;
}
