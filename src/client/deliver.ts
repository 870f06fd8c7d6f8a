import type { HelseIdClient } from '../helseid/index.js';

export interface DeliveryResult {
  httpStatus: number;
  /** The register's OperationOutcome, or undefined when the answer was not JSON. */
  outcome?: unknown;
  /** True when the register accepted the delivery (HTTP 200). */
  accepted: boolean;
}

/**
 * Posts a sealed SignertKryptertBundle to the register's main endpoint (or one of the
 * validation endpoints) with a DPoP-bound HelseID token.
 */
export async function deliver(
  envelopeJson: string,
  apiBaseUrl: string,
  helseId: HelseIdClient,
  endpoint: '' | '/validateLegemiddelregisterBundle' = '',
): Promise<DeliveryResult> {
  const response = await helseId.fetchWithDpop(`${apiBaseUrl.replace(/\/$/, '')}${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/fhir+json, application/json' },
    body: envelopeJson,
  });

  // Accepted means the register said so: 200 with its OperationOutcome, not just any 200
  // (a proxy's or a login page's).
  const outcome = parseOrUndefined(await response.text());
  const isOutcome = (outcome as { resourceType?: unknown } | undefined)?.resourceType === 'OperationOutcome';
  return { httpStatus: response.status, outcome, accepted: response.status === 200 && isOutcome };
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
