export { CertsError, type CertsErrorCode } from './certs-error.js';
export {
  parseCertificate,
  readCertificate,
  readPrivateKey,
  readPkcs12,
  checkPair,
  type Credential,
} from './read.js';
export { thumbprint, sameThumbprint, normalizeThumbprint, orgNumberOf } from './identity.js';
export { createDevCertificates, type DevCertificates, type DevCertificateOptions } from './dev.js';
export {
  summarizeCertificate,
  certificateWarnings,
  type CertificateSummary,
  type CertificateRole,
  type CertificateWarning,
} from './inspect.js';
export { checkPublishedRegisterCertificate } from './published.js';
export { pkcs12Password, PASSWORD_VARIABLE, type PromptTerminal } from './password.js';
