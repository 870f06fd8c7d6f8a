import type { X509Certificate } from 'node:crypto';
import forge from 'node-forge';

import { orgNumberOf, thumbprint } from './identity.js';

/** What a person checks about an enterprise certificate before using it. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  /** The organisation number, or why there is none. */
  orgNumber: { value: string } | { problem: string };
  validFrom: Date;
  validTo: Date;
  keyType: string;
  /** RSA modulus length in bits; undefined for other key types. */
  keySize?: number;
  /** Names of the KeyUsage bits set, or undefined when the certificate has no KeyUsage extension. */
  keyUsages?: string[];
  thumbprint: string;
}

/** The use a certificate is put to: the sender signs, the register unwraps the AES key. */
export type CertificateRole = 'sender' | 'register';

export interface CertificateWarning {
  code: 'CERT_EXPIRED' | 'CERT_NOT_YET_VALID' | 'CERT_KEY_USAGE' | 'CERT_RSA_TOO_SHORT' | 'CERT_NOT_RSA';
  message: string;
}

const KEY_USAGE_BITS = [
  'digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement',
  'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly',
] as const;

const MIN_RSA_BITS = 2048;

export function summarizeCertificate(certificate: X509Certificate): CertificateSummary {
  const details = certificate.publicKey.asymmetricKeyDetails;
  const keyType = certificate.publicKey.asymmetricKeyType ?? 'unknown';
  const keyUsages = keyUsagesOf(certificate);
  return {
    subject: certificate.subject.replaceAll('\n', ', '),
    issuer: certificate.issuer.replaceAll('\n', ', '),
    orgNumber: orgNumberOrProblem(certificate),
    validFrom: new Date(certificate.validFrom),
    validTo: new Date(certificate.validTo),
    keyType,
    ...(keyType === 'rsa' && details?.modulusLength ? { keySize: details.modulusLength } : {}),
    ...(keyUsages ? { keyUsages } : {}),
    thumbprint: thumbprint(certificate),
  };
}

/**
 * What is wrong with using `certificate` in `role` at `now`, without refusing: validity, key usage
 * and key size are the certificate vendor's business, yet a sender wants to hear of them early.
 */
export function certificateWarnings(certificate: X509Certificate, role: CertificateRole, now = new Date()): CertificateWarning[] {
  const summary = summarizeCertificate(certificate);
  const warnings: CertificateWarning[] = [];

  if (now > summary.validTo) {
    warnings.push({ code: 'CERT_EXPIRED', message: `the certificate expired at ${summary.validTo.toISOString()}` });
  }
  if (now < summary.validFrom) {
    warnings.push({ code: 'CERT_NOT_YET_VALID', message: `the certificate is valid only from ${summary.validFrom.toISOString()}` });
  }

  if (summary.keyType !== 'rsa') {
    warnings.push({ code: 'CERT_NOT_RSA', message: `the key is ${summary.keyType}; the envelope needs RSA (OAEP and PKCS#1 v1.5)` });
  } else if ((summary.keySize ?? 0) < MIN_RSA_BITS) {
    warnings.push({ code: 'CERT_RSA_TOO_SHORT', message: `the RSA key has ${summary.keySize} bits; at least ${MIN_RSA_BITS} are expected` });
  }

  const needed = role === 'sender' ? 'digitalSignature' : 'keyEncipherment';
  if (summary.keyUsages && !summary.keyUsages.includes(needed)) {
    warnings.push({
      code: 'CERT_KEY_USAGE',
      message: `the ${role} certificate's key usage (${summary.keyUsages.join(', ') || 'none'}) does not allow ${needed}`,
    });
  }
  return warnings;
}

// Node's X509Certificate does not expose the KeyUsage bits; node-forge decodes them. Forge reads
// RSA certificates only, which is all the envelope can use anyway (others get CERT_NOT_RSA).
function keyUsagesOf(certificate: X509Certificate): string[] | undefined {
  let extension: Record<string, unknown> | undefined;
  try {
    const parsed = forge.pki.certificateFromAsn1(forge.asn1.fromDer(certificate.raw.toString('binary')));
    extension = parsed.getExtension('keyUsage') as Record<string, unknown> | undefined;
  } catch {
    return undefined;
  }
  if (!extension) return undefined;
  return KEY_USAGE_BITS.filter((bit) => extension[bit] === true);
}

function orgNumberOrProblem(certificate: X509Certificate): CertificateSummary['orgNumber'] {
  try {
    return { value: orgNumberOf(certificate) };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}
