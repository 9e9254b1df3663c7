// Typed errors: each carries the process exit code and says what to do next.
// One top-level catch in cli.ts prints `message` (never a stack) for these.

import { safeMessage } from './core/sanitize.js';

/** Exit codes, as documented in docs/architecture.md ("Outcomes"). */
export const ExitCode = {
  ok: 0,
  cellsFailed: 1,
  usage: 2,
  infra: 3,
  /** A bug in portmatrix (sysexits' EX_SOFTWARE): the top-level catch prints versions and where to report. */
  internal: 70,
  interrupted: 130,
} as const;

export class PortmatrixError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A PortmatrixError class whose every instance exits with `exitCode`. */
function withExitCode(exitCode: number) {
  return class extends PortmatrixError {
    constructor(message: string, options?: { cause?: unknown }) {
      super(message, exitCode, options);
    }
  };
}

/** Bad command line or bad matrix.yaml: exit 2. */
export class UsageError extends withExitCode(ExitCode.usage) {}

/** A located config error: `file:line:col: field: problem; fix`. */
export class ConfigError extends UsageError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly field: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    // The values in it come from the matrix: one line, escaped, long values cut.
    super(`${safeMessage(file)}:${line}:${col}: ${safeMessage(field, 60, 120)}: ${safeMessage(problem)}; ${safeMessage(fix)}`);
  }
}

/** Host or network trouble (missing tool, download failed, QEMU crashed): exit 3. */
export class InfraError extends withExitCode(ExitCode.infra) {}

/** A required host tool is missing; names the Debian package that provides it. */
export class MissingToolError extends InfraError {
  constructor(
    readonly tool: string,
    readonly aptPackage: string,
  ) {
    super(`${tool} not found; install it with: sudo apt-get install ${aptPackage}`);
  }
}
