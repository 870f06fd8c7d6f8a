import {
  constants,
  createCipheriv,
  publicEncrypt,
  randomBytes,
  randomUUID,
  sign,
  type KeyObject,
  type X509Certificate,
} from 'node:crypto';
import { gzipSync } from 'node:zlib';

import { checkPair, orgNumberOf, thumbprint } from '../certs/index.js';
import { EnvelopeError } from './envelope-error.js';
import { ENVELOPE_FIELDS, MESSAGE_FORMAT_VERSION, isInstant, type SignertKryptertBundle } from './fields.js';

export interface SealOptions {
  /** The LegemiddelregisterBundle, serialized as UTF-8 JSON. */
  content: Buffer;
  senderCertificate: X509Certificate;
  senderKey: KeyObject;
  registerCertificate: X509Certificate;
  rapporteringFra: string;
  rapporteringTil: string;
  /** Defaults to the organisation number in the sender certificate. */
  senderOrganizationIdentifier?: string;
  messageId?: string;
  now?: Date;
}

/**
 * Seals a bundle into a SignertKryptertBundle (SPEC §3): gzip, AES-256-GCM under a fresh key and
 * nonce, the key wrapped with RSA-OAEP-SHA256 for the register, the ciphertext signed with
 * RSA PKCS#1 v1.5 / SHA-256 by the sender.
 */
export function seal(options: SealOptions): SignertKryptertBundle {
  checkPeriod(options.rapporteringFra, options.rapporteringTil);
  checkPair({ certificate: options.senderCertificate, privateKey: options.senderKey }, 'sender credentials');
  const orgNumber = senderOrgNumber(options);

  const compressed = gzipSync(options.content);

  const key = randomBytes(32);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const ciphertext = Buffer.concat([cipher.update(compressed), cipher.final()]);
  const tag = cipher.getAuthTag();

  const encryptedKey = publicEncrypt(
    { key: options.registerCertificate.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    key,
  );

  const signature = sign('sha256', ciphertext, options.senderKey);

  const envelope: SignertKryptertBundle = {
    messageId: options.messageId ?? randomUUID(),
    senderOrganizationIdentifier: orgNumber,
    messageFormatVersion: MESSAGE_FORMAT_VERSION,
    rapporteringFra: options.rapporteringFra,
    rapporteringTil: options.rapporteringTil,
    encryptedContent: ciphertext.toString('base64'),
    encryptionCertificateThumbprint: thumbprint(options.registerCertificate),
    encryptedKey: encryptedKey.toString('base64'),
    nonce: nonce.toString('base64'),
    authenticationTag: tag.toString('base64'),
    signatureCertificateThumbprint: thumbprint(options.senderCertificate),
    signature: signature.toString('base64'),
    generatedAt: (options.now ?? new Date()).toISOString(),
  };
  return inSpecOrder(envelope);
}

/** Serializes an envelope with the fields in SPEC order. */
export function serializeEnvelope(envelope: SignertKryptertBundle): string {
  return JSON.stringify(inSpecOrder(envelope));
}

function inSpecOrder(envelope: SignertKryptertBundle): SignertKryptertBundle {
  const ordered: Partial<SignertKryptertBundle> = {};
  for (const field of ENVELOPE_FIELDS) ordered[field] = envelope[field];
  return ordered as SignertKryptertBundle;
}

function senderOrgNumber(options: SealOptions): string {
  const inCertificate = orgNumberOf(options.senderCertificate);
  const given = options.senderOrganizationIdentifier ?? inCertificate;
  if (given !== inCertificate) {
    throw new EnvelopeError(
      'ENVELOPE_ORG_MISMATCH',
      `senderOrganizationIdentifier ${given} differs from the organisation number ${inCertificate} in the sender certificate`,
    );
  }
  return given;
}

function checkPeriod(from: string, to: string): void {
  for (const [field, value] of [['rapporteringFra', from], ['rapporteringTil', to]] as const) {
    if (!isInstant(value)) {
      throw new EnvelopeError('ENVELOPE_FIELD_INVALID', `${field} "${value}" must be an ISO 8601 instant with an explicit offset`);
    }
  }
  if (Date.parse(from) > Date.parse(to)) {
    throw new EnvelopeError('ENVELOPE_PERIOD_INVALID', 'rapporteringFra is after rapporteringTil');
  }
}
