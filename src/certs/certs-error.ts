import { LmdiError } from '../errors/index.js';

export type CertsErrorCode =
  | 'CERT_UNREADABLE'
  | 'CERT_NO_ORG_NUMBER'
  | 'CERT_BAD_ORG_NUMBER'
  | 'KEY_UNREADABLE'
  | 'PKCS12_UNREADABLE'
  | 'PKCS12_PASSWORD_MISSING'
  | 'KEY_CERT_MISMATCH'
  | 'CERT_NOT_PUBLISHED_REGISTER';

export class CertsError extends LmdiError<CertsErrorCode> {}
