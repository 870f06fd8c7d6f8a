import { createHash, type X509Certificate } from 'node:crypto';

import { isValidOrgNumber } from '../fhir/norwegian-ids.js';
import { CertsError } from './certs-error.js';

/**
 * The Windows thumbprint the register's samples use: SHA-1 over the certificate's DER bytes,
 * 40 upper-case hex digits without separators.
 */
export function thumbprint(certificate: X509Certificate): string {
  return createHash('sha1').update(certificate.raw).digest('hex').toUpperCase();
}

/** Compares thumbprints the way the register does: case-insensitively, ignoring separators. */
export function sameThumbprint(a: string, b: string): boolean {
  return normalizeThumbprint(a) === normalizeThumbprint(b);
}

export function normalizeThumbprint(value: string): string {
  return value.replace(/[\s:]/g, '').toUpperCase();
}

/**
 * The organisation number of a Norwegian enterprise certificate: subject organizationIdentifier
 * `NTRNO-<9 digits>` (SEID 2) or subject serialNumber `<9 digits>` (SEID 1).
 */
export function orgNumberOf(certificate: X509Certificate): string {
  const attributes = subjectAttributes(certificate.subject);

  const seid2 = attributes.get('organizationIdentifier')?.match(/^NTRNO-(\d{9})$/)?.[1];
  const seid1 = attributes.get('serialNumber')?.match(/^(\d{9})$/)?.[1];
  const orgNumber = seid2 ?? seid1;
  if (!orgNumber) {
    throw new CertsError(
      'CERT_NO_ORG_NUMBER',
      'the certificate subject carries no organisation number (organizationIdentifier NTRNO-<9 digits> or serialNumber <9 digits>)',
    );
  }

  if (!isValidOrgNumber(orgNumber)) {
    throw new CertsError('CERT_BAD_ORG_NUMBER', `the organisation number ${orgNumber} in the certificate fails its mod-11 check digit`);
  }
  return orgNumber;
}

function subjectAttributes(subject: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const line of subject.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) attributes.set(line.slice(0, at), line.slice(at + 1));
  }
  return attributes;
}
