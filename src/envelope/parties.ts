import { constants, privateDecrypt, type KeyObject, type X509Certificate } from 'node:crypto';

import { orgNumberOf, sameThumbprint, thumbprint, type Credential } from '../certs/index.js';
import { EnvelopeError } from './envelope-error.js';
import { decodeBase64, type EnvelopeHeader } from './fields.js';

/** How an opener knows the two parties: the register's key pairs and the senders' certificates. */
export interface OpenParties {
  /** The register's own key pairs; the envelope names the one to use (certificate rollover). */
  registerCredentials: Credential[];
  /** Finds the sender certificate the envelope names by thumbprint; undefined when unknown. */
  findSenderCertificate: (thumbprint: string) => X509Certificate | undefined;
}

/** The sender certificate the envelope names, whose organisation number must be the envelope's. */
export function senderCertificateFor(envelope: EnvelopeHeader, parties: OpenParties): X509Certificate {
  const certificate = parties.findSenderCertificate(envelope.signatureCertificateThumbprint);
  if (!certificate) {
    throw new EnvelopeError(
      'ENVELOPE_UNKNOWN_SIGNATURE_CERT',
      `signatureCertificateThumbprint ${envelope.signatureCertificateThumbprint} names no known sender certificate`,
    );
  }

  let inCertificate: string;
  try {
    inCertificate = orgNumberOf(certificate);
  } catch (cause) {
    // Reported as an envelope failure, so the receiver answers with a code rather than a crash.
    throw new EnvelopeError(
      'ENVELOPE_ORG_MISMATCH',
      `the signing certificate carries no valid organisation number to match senderOrganizationIdentifier (${(cause as Error).message})`,
      { cause },
    );
  }
  if (envelope.senderOrganizationIdentifier !== inCertificate) {
    throw new EnvelopeError(
      'ENVELOPE_ORG_MISMATCH',
      `senderOrganizationIdentifier ${envelope.senderOrganizationIdentifier} differs from the organisation number ${inCertificate} in the signing certificate`,
    );
  }
  return certificate;
}

/** Unwraps the AES key with the register key pair the envelope names by thumbprint. */
export function unwrapContentKey(envelope: EnvelopeHeader, credentials: Credential[]): Buffer {
  const match = credentials.find((credential) =>
    sameThumbprint(thumbprint(credential.certificate), envelope.encryptionCertificateThumbprint),
  );
  if (!match) {
    throw new EnvelopeError(
      'ENVELOPE_UNKNOWN_ENCRYPTION_CERT',
      `encryptionCertificateThumbprint ${envelope.encryptionCertificateThumbprint} names none of the register's certificates`,
    );
  }
  return unwrap(decodeBase64(envelope, 'encryptedKey'), match.privateKey);
}

function unwrap(encryptedKey: Buffer, privateKey: KeyObject): Buffer {
  let key: Buffer;
  try {
    key = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, encryptedKey);
  } catch (cause) {
    throw new EnvelopeError('ENVELOPE_KEY_UNWRAP_FAILED', 'encryptedKey does not unwrap with RSA-OAEP-SHA256 under the register key', { cause });
  }
  if (key.length !== 32) {
    throw new EnvelopeError('ENVELOPE_KEY_UNWRAP_FAILED', `encryptedKey unwraps to ${key.length} bytes, not a 256-bit AES key`);
  }
  return key;
}
