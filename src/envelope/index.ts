export { EnvelopeError, type EnvelopeErrorCode } from './envelope-error.js';
export { ENVELOPE_FIELDS, readEnvelope, type SignertKryptertBundle } from './fields.js';
export { seal, serializeEnvelope, type SealOptions } from './seal.js';
export { open, type OpenOptions, type OpenResult } from './open.js';
