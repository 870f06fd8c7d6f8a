import { LmdiError } from '../errors/index.js';
import type { ValidationIssue } from '../fhir/index.js';

export type DemoErrorCode = 'INPUT_UNREADABLE' | 'BUNDLE_INVALID' | 'WORKSPACE_DAMAGED' | 'WORKSPACE_UNWRITABLE';

export class DemoError extends LmdiError<DemoErrorCode> {
  /** The validation findings, when the input bundle was refused. */
  readonly issues: ValidationIssue[];

  constructor(code: DemoErrorCode, message: string, issues: ValidationIssue[] = [], options?: { cause?: unknown }) {
    super(code, message, options);
    this.issues = issues;
  }
}
