import { LmdiError } from '../errors/index.js';

export type AuthorityErrorCode =
  /** The clients file or option is not what the authority needs (the message says what and where). */
  | 'AUTHORITY_CONFIG_INVALID'
  /** A client key is not a usable public signing JWK. */
  | 'AUTHORITY_JWK_INVALID'
  /** The client id is already registered for another organisation. */
  | 'AUTHORITY_CLIENT_CONFLICT';

export class AuthorityError extends LmdiError<AuthorityErrorCode> {}
