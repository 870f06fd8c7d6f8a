import { LmdiError } from '../errors/index.js';

/** Refusals decided by the receiver itself, after authentication and before storage. */
export type ReceiverErrorCode =
  | 'RECEIVER_BODY_INVALID'
  | 'SENDER_UNKNOWN'
  | 'SENDER_INACTIVE'
  | 'SENDER_CLIENT_MISMATCH'
  | 'BUNDLE_INVALID';

export class ReceiverError extends LmdiError<ReceiverErrorCode> {}
