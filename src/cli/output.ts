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

/**
 * The findings grouped by entry: first a count per entry (bundle level first), then the details
 * of each entry, errors before warnings, one line per finding with its rule id.
 */
export function printIssues(output: Output, issues: ValidationIssue[]): void {
  if (issues.length === 0) return;
  const groups = groupByEntry(issues);

  for (const group of groups) {
    output.err(`  ${group.title}: ${countText(group.issues)}`);
  }

  for (const group of groups) {
    output.err('');
    output.err(group.title);
    const ordered = [...group.issues].sort((a, b) => rank(a.severity) - rank(b.severity));
    for (const issue of ordered) {
      output.err(`  ${issue.severity} [${issue.rule}] ${relative(issue.location, group.prefix)}: ${issue.message}`);
    }
  }
}

interface IssueGroup {
  title: string;
  /** Location prefix stripped from each detail line. */
  prefix: string;
  issues: ValidationIssue[];
}

function groupByEntry(issues: ValidationIssue[]): IssueGroup[] {
  const groups = new Map<string, IssueGroup>();

  for (const issue of issues) {
    const entry = /^Bundle\.entry\[\d+\]/.exec(issue.location)?.[0];
    const key = entry ?? 'Bundle';
    let group = groups.get(key);
    if (group === undefined) {
      const about = [issue.resourceType, issue.fullUrl].filter(Boolean).join(' ');
      group = { title: entry && about ? `${entry} (${about})` : key, prefix: entry ? `${entry}.resource.` : 'Bundle.', issues: [] };
      groups.set(key, group);
    }
    group.issues.push(issue);
  }
  return [...groups.values()];
}

/** "2 errors, 1 warning" */
export function countText(issues: ValidationIssue[]): string {
  const errors = issues.filter((i) => i.severity === 'error').length;
  const warnings = issues.length - errors;
  return `${errors} ${errors === 1 ? 'error' : 'errors'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`;
}

function relative(location: string, prefix: string): string {
  return location.startsWith(prefix) ? location.slice(prefix.length) : location;
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
