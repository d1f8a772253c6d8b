/**
 * Exit codes are part of the CLI contract (runbooks branch on them); the README lists them.
 */
export const ExitCode = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  BAD_INPUT: 3,
  NOT_FOUND: 4,
  API_UNREACHABLE: 5,
  FORBIDDEN: 6,
  NODE_ACCESS: 7,
  TIMEOUT: 8,
  INTERRUPTED: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error meant for the user: one line, and the exit code it maps to. */
export class NetpathError extends Error {
  readonly exitCode: ExitCodeValue;
  constructor(exitCode: ExitCodeValue, message: string) {
    super(message);
    this.name = 'NetpathError';
    this.exitCode = exitCode;
  }
}

export const usageError = (msg: string) => new NetpathError(ExitCode.USAGE, msg);
export const badInput = (msg: string) => new NetpathError(ExitCode.BAD_INPUT, msg);
export const notFound = (msg: string) => new NetpathError(ExitCode.NOT_FOUND, msg);
