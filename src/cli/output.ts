import { isLmdiError } from '../errors/index.js';
import type { ValidationIssue } from '../fhir/index.js';

/** Where the CLI writes; tests pass their own. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** One line per finding, errors first, the way a person fixes them. */
export function printIssues(output: Output, issues: ValidationIssue[]): void {
  const ordered = [...issues].sort((a, b) => rank(a.severity) - rank(b.severity));
  for (const issue of ordered) {
    const where = issue.fullUrl ? `${issue.location} (${issue.fullUrl})` : issue.location;
    output.err(`  ${issue.severity} [${issue.rule}] ${where}: ${issue.message}`);
  }
}

function rank(severity: string): number {
  return ['fatal', 'error', 'warning', 'information'].indexOf(severity);
}

/** The message for an error that reached the top: its stable code when it has one. */
export function describeError(error: unknown): string {
  if (isLmdiError(error)) return `error [${error.code}]: ${error.message}`;

  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `error [${code}]: ${message}` : `error: ${message}`;
}
