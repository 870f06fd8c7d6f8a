import { LmdiError } from '../errors/index.js';

/**
 * Why an envelope could not be sealed or opened; each code names the check that failed. The codes
 * are stable: the CLI prints them, the receiver returns them in its OperationOutcome.
 */
export type EnvelopeErrorCode =
  | 'ENVELOPE_NOT_JSON'
  | 'ENVELOPE_FIELD_MISSING'
  | 'ENVELOPE_FIELD_INVALID'
  | 'ENVELOPE_FIELD_DUPLICATE'
  | 'ENVELOPE_UNKNOWN_FIELD'
  | 'ENVELOPE_BAD_BASE64'
  | 'ENVELOPE_NONCE_LENGTH'
  | 'ENVELOPE_TAG_LENGTH'
  | 'ENVELOPE_VERSION_UNSUPPORTED'
  | 'ENVELOPE_PERIOD_INVALID'
  | 'ENVELOPE_UNKNOWN_ENCRYPTION_CERT'
  | 'ENVELOPE_UNKNOWN_SIGNATURE_CERT'
  | 'ENVELOPE_ORG_MISMATCH'
  | 'ENVELOPE_SIGNATURE_INVALID'
  | 'ENVELOPE_KEY_UNWRAP_FAILED'
  | 'ENVELOPE_TAG_INVALID'
  | 'ENVELOPE_NOT_GZIP'
  | 'ENVELOPE_TOO_LARGE'
  | 'ENVELOPE_RATIO_EXCEEDED'
  | 'ENVELOPE_NOT_UTF8'
  | 'ENVELOPE_CONTENT_NOT_JSON';

export class EnvelopeError extends LmdiError<EnvelopeErrorCode> {}
