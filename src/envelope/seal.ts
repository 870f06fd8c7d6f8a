import {
  constants,
  createCipheriv,
  publicEncrypt,
  randomBytes,
  randomUUID,
  sign,
  type CipherGCM,
  type KeyObject,
  type X509Certificate,
} from 'node:crypto';
import { gzipSync } from 'node:zlib';

import { checkPair, orgNumberOf, thumbprint } from '../certs/index.js';
import { EnvelopeError } from './envelope-error.js';
import { ENVELOPE_FIELDS, MESSAGE_FORMAT_VERSION, isInstant, type EnvelopeHeader, type SignertKryptertBundle } from './fields.js';

/** Who seals for whom, and the period; everything but the content. */
export interface SealParameters {
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

export interface SealOptions extends SealParameters {
  /** The LegemiddelregisterBundle, serialized as UTF-8 JSON. */
  content: Buffer;
}

/** The fields known before the content is encrypted, and the cipher that will encrypt it. */
export interface BegunSeal {
  cipher: CipherGCM;
  header: Omit<EnvelopeHeader, 'authenticationTag' | 'signature'>;
}

/**
 * Seals a bundle into a SignertKryptertBundle (SPEC §3): gzip, AES-256-GCM under a fresh key and
 * nonce, the key wrapped with RSA-OAEP-SHA256 for the register, the ciphertext signed with
 * RSA PKCS#1 v1.5 / SHA-256 by the sender. For files, sealFile streams instead.
 */
export function seal(options: SealOptions): SignertKryptertBundle {
  const { cipher, header } = beginSeal(options);

  const compressed = gzipSync(options.content);
  const ciphertext = Buffer.concat([cipher.update(compressed), cipher.final()]);

  return inSpecOrder({
    ...header,
    encryptedContent: ciphertext.toString('base64'),
    authenticationTag: cipher.getAuthTag().toString('base64'),
    signature: sign('sha256', ciphertext, options.senderKey).toString('base64'),
  });
}

/** Checks the parameters, draws the key and nonce, wraps the key and fills in the header fields. */
export function beginSeal(options: SealParameters): BegunSeal {
  checkPeriod(options.rapporteringFra, options.rapporteringTil);
  checkPair({ certificate: options.senderCertificate, privateKey: options.senderKey }, 'sender credentials');
  const orgNumber = senderOrgNumber(options);

  const key = randomBytes(32);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);

  const encryptedKey = publicEncrypt(
    { key: options.registerCertificate.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    key,
  );

  const header = {
    messageId: options.messageId ?? randomUUID(),
    senderOrganizationIdentifier: orgNumber,
    messageFormatVersion: MESSAGE_FORMAT_VERSION,
    rapporteringFra: options.rapporteringFra,
    rapporteringTil: options.rapporteringTil,
    encryptionCertificateThumbprint: thumbprint(options.registerCertificate),
    encryptedKey: encryptedKey.toString('base64'),
    nonce: nonce.toString('base64'),
    signatureCertificateThumbprint: thumbprint(options.senderCertificate),
    generatedAt: (options.now ?? new Date()).toISOString(),
  };
  return { cipher, header };
}

/** Serializes an envelope with the fields in SPEC order. */
export function serializeEnvelope(envelope: SignertKryptertBundle): string {
  return JSON.stringify(inSpecOrder(envelope));
}

/**
 * The envelope JSON around the Base64 content: the text before it (ending in the opening quote)
 * and after it (starting with the closing quote), fields in SPEC order, so the content can stream.
 */
export function serializeAroundContent(envelope: EnvelopeHeader): { before: string; after: string } {
  const member = (field: keyof EnvelopeHeader) => `${JSON.stringify(field)}:${JSON.stringify(envelope[field])}`;
  const at = ENVELOPE_FIELDS.indexOf('encryptedContent');
  const before = ENVELOPE_FIELDS.slice(0, at) as (keyof EnvelopeHeader)[];
  const after = ENVELOPE_FIELDS.slice(at + 1) as (keyof EnvelopeHeader)[];
  return {
    before: `{${before.map(member).join(',')},"encryptedContent":"`,
    after: `",${after.map(member).join(',')}}`,
  };
}

function inSpecOrder(envelope: SignertKryptertBundle): SignertKryptertBundle {
  const ordered: Partial<SignertKryptertBundle> = {};
  for (const field of ENVELOPE_FIELDS) ordered[field] = envelope[field];
  return ordered as SignertKryptertBundle;
}

function senderOrgNumber(options: SealParameters): string {
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
