/** A FHIR R4 OperationOutcome issue, as the receiver writes them. */
export interface OutcomeIssue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: string;
  details?: { text: string };
  diagnostics?: string;
  expression?: string[];
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: OutcomeIssue[];
}

/** One issue that says what failed: `errorCode` is the stable code, `text` the message. */
export function failure(issueCode: string, errorCode: string, text: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: issueCode, diagnostics: errorCode, details: { text } }] };
}

export function information(text: string, diagnostics?: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'information', code: 'informational', details: { text }, ...(diagnostics ? { diagnostics } : {}) }],
  };
}
