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

/**
 * The answer to a stored delivery: a summary issue, then one issue per submitted resource
 * (its place in the bundle and its fullUrl), as the register reports a status per resource.
 */
export function receipt(
  summary: string,
  storedByType: Record<string, number>,
  entries: { fullUrl?: string; resource: { resourceType: string } }[],
  inserted: boolean,
): OperationOutcome {
  const status = inserted ? 'stored' : 'already stored';
  return {
    resourceType: 'OperationOutcome',
    issue: [
      { severity: 'information', code: 'informational', details: { text: summary }, diagnostics: JSON.stringify(storedByType) },
      ...entries.map((entry, index): OutcomeIssue => ({
        severity: 'information',
        code: 'informational',
        details: { text: `${entry.resource.resourceType} ${status}` },
        ...(entry.fullUrl ? { diagnostics: entry.fullUrl } : {}),
        expression: [`Bundle.entry[${index}]`],
      })),
    ],
  };
}
