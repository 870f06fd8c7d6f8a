import {
  constants,
  createDecipheriv,
  privateDecrypt,
  verify,
  type KeyObject,
  type X509Certificate,
} from 'node:crypto';
import { gunzipSync } from 'node:zlib';

import { orgNumberOf, sameThumbprint, thumbprint, type Credential } from '../certs/index.js';
import { EnvelopeError } from './envelope-error.js';
import { decodeBase64, readEnvelope, type SignertKryptertBundle } from './fields.js';

export interface OpenOptions {
  /** The register's own key pairs; the envelope names the one to use (certificate rollover). */
  registerCredentials: Credential[];
  /** Finds the sender certificate the envelope names by thumbprint; undefined when unknown. */
  findSenderCertificate: (thumbprint: string) => X509Certificate | undefined;
  /** Refuse content that inflates beyond this many bytes (gzip bombs). Default 512 MiB. */
  maxInflatedBytes?: number;
}

export interface OpenResult {
  envelope: SignertKryptertBundle;
  senderCertificate: X509Certificate;
  /** The LegemiddelregisterBundle JSON text. */
  content: string;
}

const DEFAULT_MAX_INFLATED = 512 * 1024 * 1024;
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/**
 * Opens a SignertKryptertBundle: checks the fields, finds both certificates, verifies the
 * signature before decrypting, then unwraps the key, decrypts, authenticates and inflates.
 */
export function open(input: unknown, options: OpenOptions): OpenResult {
  const envelope = readEnvelope(input);

  const senderCertificate = options.findSenderCertificate(envelope.signatureCertificateThumbprint);
  if (!senderCertificate) {
    throw new EnvelopeError(
      'ENVELOPE_UNKNOWN_SIGNATURE_CERT',
      `signatureCertificateThumbprint ${envelope.signatureCertificateThumbprint} names no known sender certificate`,
    );
  }
  checkSenderOrg(envelope, senderCertificate);

  const ciphertext = decodeBase64(envelope, 'encryptedContent');
  const signature = decodeBase64(envelope, 'signature');
  if (!verify('sha256', ciphertext, senderCertificate.publicKey, signature)) {
    throw new EnvelopeError('ENVELOPE_SIGNATURE_INVALID', 'the signature over encryptedContent does not verify with the sender certificate');
  }

  const registerKey = findRegisterKey(envelope, options.registerCredentials);
  const key = unwrapKey(decodeBase64(envelope, 'encryptedKey'), registerKey);
  const compressed = decrypt(envelope, ciphertext, key);
  const content = inflate(compressed, options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED);

  return { envelope, senderCertificate, content: decodeUtf8(content) };
}

function checkSenderOrg(envelope: SignertKryptertBundle, certificate: X509Certificate): void {
  const inCertificate = orgNumberOf(certificate);
  if (envelope.senderOrganizationIdentifier !== inCertificate) {
    throw new EnvelopeError(
      'ENVELOPE_ORG_MISMATCH',
      `senderOrganizationIdentifier ${envelope.senderOrganizationIdentifier} differs from the organisation number ${inCertificate} in the signing certificate`,
    );
  }
}

function findRegisterKey(envelope: SignertKryptertBundle, credentials: Credential[]): KeyObject {
  const match = credentials.find((credential) =>
    sameThumbprint(thumbprint(credential.certificate), envelope.encryptionCertificateThumbprint),
  );
  if (!match) {
    throw new EnvelopeError(
      'ENVELOPE_UNKNOWN_ENCRYPTION_CERT',
      `encryptionCertificateThumbprint ${envelope.encryptionCertificateThumbprint} names none of the register's certificates`,
    );
  }
  return match.privateKey;
}

function unwrapKey(encryptedKey: Buffer, privateKey: KeyObject): Buffer {
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

function decrypt(envelope: SignertKryptertBundle, ciphertext: Buffer, key: Buffer): Buffer {
  const nonce = decodeBase64(envelope, 'nonce');
  const tag = decodeBase64(envelope, 'authenticationTag');
  if (nonce.length !== 12) {
    throw new EnvelopeError('ENVELOPE_FIELD_INVALID', `nonce is ${nonce.length} bytes; AES-GCM here uses 12`);
  }
  if (tag.length !== 16) {
    throw new EnvelopeError('ENVELOPE_FIELD_INVALID', `authenticationTag is ${tag.length} bytes; it must be 16`);
  }

  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (cause) {
    throw new EnvelopeError('ENVELOPE_TAG_INVALID', 'authenticationTag does not authenticate encryptedContent', { cause });
  }
}

function inflate(compressed: Buffer, maxBytes: number): Buffer {
  if (!compressed.subarray(0, 2).equals(GZIP_MAGIC)) {
    throw new EnvelopeError('ENVELOPE_NOT_GZIP', 'the decrypted content is not gzip');
  }
  try {
    return gunzipSync(compressed, { maxOutputLength: maxBytes });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new EnvelopeError('ENVELOPE_TOO_LARGE', `the content inflates beyond the limit of ${maxBytes} bytes`, { cause });
    }
    throw new EnvelopeError('ENVELOPE_NOT_GZIP', 'the decrypted content is not valid gzip', { cause });
  }
}

function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new EnvelopeError('ENVELOPE_NOT_UTF8', 'the decrypted content is not UTF-8', { cause });
  }
}
