import { LmdiError } from '../errors/index.js';

export type CertsErrorCode =
  | 'CERT_UNREADABLE'
  | 'CERT_NO_ORG_NUMBER'
  | 'CERT_BAD_ORG_NUMBER'
  | 'KEY_UNREADABLE'
  | 'PKCS12_UNREADABLE'
  | 'KEY_CERT_MISMATCH';

export class CertsError extends LmdiError<CertsErrorCode> {}
