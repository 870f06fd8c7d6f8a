import { LmdiError } from '../errors/index.js';

/** Why an envelope could not be sealed or opened; each code names the check that failed. */
export type EnvelopeErrorCode =
  | 'ENVELOPE_NOT_JSON'
  | 'ENVELOPE_FIELD_MISSING'
  | 'ENVELOPE_FIELD_INVALID'
  | 'ENVELOPE_UNKNOWN_FIELD'
  | 'ENVELOPE_BAD_BASE64'
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
  | 'ENVELOPE_NOT_UTF8';

export class EnvelopeError extends LmdiError<EnvelopeErrorCode> {}
