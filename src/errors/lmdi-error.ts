/**
 * The base of every error the library throws on purpose. `code` is stable and machine-readable:
 * the CLI prints it, the receiver puts it in its OperationOutcome, tests assert on it.
 */
export class LmdiError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** True when `error` is an LmdiError, optionally with one of `codes`. */
export function isLmdiError(error: unknown, ...codes: string[]): error is LmdiError {
  if (!(error instanceof LmdiError)) return false;
  return codes.length === 0 || codes.includes(error.code);
}
