import type { X509Certificate } from 'node:crypto';

import { CertsError } from './certs-error.js';
import { sameThumbprint, thumbprint } from './identity.js';

/**
 * Refuses a register certificate other than the one the register publishes for an environment:
 * sealing for a wrong certificate produces an envelope the register cannot open, or worse, one
 * that someone else can. `allowOther` is for test setups with their own register.
 */
export function checkPublishedRegisterCertificate(
  certificate: X509Certificate,
  published: { environment: string; thumbprint: string },
  allowOther = false,
): void {
  const actual = thumbprint(certificate);
  if (allowOther || sameThumbprint(actual, published.thumbprint)) return;

  throw new CertsError(
    'CERT_NOT_PUBLISHED_REGISTER',
    `the receiver certificate ${actual} is not the register's published ${published.environment.toUpperCase()} certificate ${published.thumbprint} (--allow-other-register-cert to seal for it anyway)`,
  );
}
