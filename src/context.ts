// What every command receives: no process globals inside commands
// (docs/architecture.md, "Modules and what each owns").

export interface Context {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Read only by `shell`, which puts a terminal in raw mode. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  signal: AbortSignal;
}
