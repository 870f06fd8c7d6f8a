import { LmdiError } from '../errors/index.js';

/** Why the sender could not get (or use) a HelseID token. Codes are stable; the CLI prints them. */
export type HelseIdErrorCode =
  /** Discovery or the token endpoint could not be reached at all. */
  | 'HELSEID_UNREACHABLE'
  /** The token came, but the API it was for could not be reached. */
  | 'API_UNREACHABLE'
  /** The issuer answered, but not with a usable OpenID discovery document for itself. */
  | 'HELSEID_DISCOVERY_FAILED'
  /** HelseID does not accept this client id with this key (error=invalid_client). */
  | 'HELSEID_INVALID_CLIENT'
  /** HelseID does not grant the requested scope (error=invalid_scope). */
  | 'HELSEID_INVALID_SCOPE'
  /** The server kept asking for a new DPoP nonce after the one retry. */
  | 'HELSEID_NONCE_LOOP'
  /** HelseID answered with a token that is not DPoP-bound. */
  | 'HELSEID_NOT_DPOP_BOUND'
  /** The client or DPoP key cannot be used (unreadable, wrong type, algorithm not fitting the key). */
  | 'HELSEID_KEY_INVALID'
  /** Any other refusal or malformed answer from HelseID. */
  | 'HELSEID_TOKEN_ERROR';

export class HelseIdError extends LmdiError<HelseIdErrorCode> {}
