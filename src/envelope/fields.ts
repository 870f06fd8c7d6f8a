import { EnvelopeError } from './envelope-error.js';

/** The SignertKryptertBundle as it travels: binary values in standard Base64. */
export interface SignertKryptertBundle {
  messageId: string;
  senderOrganizationIdentifier: string;
  messageFormatVersion: string;
  rapporteringFra: string;
  rapporteringTil: string;
  encryptedContent: string;
  encryptionCertificateThumbprint: string;
  encryptedKey: string;
  nonce: string;
  authenticationTag: string;
  signatureCertificateThumbprint: string;
  signature: string;
  generatedAt: string;
}

/** The field order a sender emits (SPEC §3); it also lets a reader stream the content. */
export const ENVELOPE_FIELDS = [
  'messageId',
  'senderOrganizationIdentifier',
  'messageFormatVersion',
  'rapporteringFra',
  'rapporteringTil',
  'encryptedContent',
  'encryptionCertificateThumbprint',
  'encryptedKey',
  'nonce',
  'authenticationTag',
  'signatureCertificateThumbprint',
  'signature',
  'generatedAt',
] as const satisfies readonly (keyof SignertKryptertBundle)[];

export const MESSAGE_FORMAT_VERSION = '1.0';

// An instant with an explicit offset; up to 7 fractional digits, as .NET writes them.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const THUMBPRINT = /^[0-9a-f]{40}$/i;

/** Every field but the ciphertext: what a streaming reader holds in memory. */
export type EnvelopeHeader = Omit<SignertKryptertBundle, 'encryptedContent'>;
export type EnvelopeField = (typeof ENVELOPE_FIELDS)[number];

/** The field a received property name stands for: camelCase or PascalCase (any case, as .NET binds). */
export function fieldNamed(name: string): EnvelopeField {
  const field = ENVELOPE_FIELDS.find((known) => known.toLowerCase() === name.toLowerCase());
  if (!field) throw new EnvelopeError('ENVELOPE_UNKNOWN_FIELD', `unknown envelope field "${name.slice(0, 80)}"`);
  return field;
}

/**
 * Reads an envelope as the register's senders write it: camelCase or PascalCase names, any order,
 * any whitespace. Refuses unknown, duplicate and missing fields and malformed values, naming the field.
 */
export function readEnvelope(input: unknown): SignertKryptertBundle {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new EnvelopeError('ENVELOPE_NOT_JSON', 'the envelope is not a JSON object');
  }

  const envelope: Partial<Record<EnvelopeField, unknown>> = {};
  for (const [name, value] of Object.entries(input)) {
    const field = fieldNamed(name);
    if (field in envelope) throw new EnvelopeError('ENVELOPE_FIELD_DUPLICATE', `envelope field "${field}" appears twice`);
    envelope[field] = value;
  }

  for (const field of ENVELOPE_FIELDS) checkPresent(field, envelope[field]);

  const checked = envelope as unknown as SignertKryptertBundle;
  checkEnvelopeValues(checked);
  return checked;
}

/** A field must be there, a string, and not empty. */
export function checkPresent(field: EnvelopeField, value: unknown): void {
  if (value === undefined || value === '') {
    throw new EnvelopeError('ENVELOPE_FIELD_MISSING', `envelope field "${field}" is missing or empty`);
  }
  if (typeof value !== 'string') {
    throw new EnvelopeError('ENVELOPE_FIELD_INVALID', `envelope field "${field}" must be a string`);
  }
}

/** Checks the values of every field but the Base64 ones, which are checked when decoded. */
export function checkEnvelopeValues(envelope: EnvelopeHeader): void {
  if (envelope.messageFormatVersion !== MESSAGE_FORMAT_VERSION) {
    throw new EnvelopeError(
      'ENVELOPE_VERSION_UNSUPPORTED',
      `messageFormatVersion "${envelope.messageFormatVersion.slice(0, 20)}" is not supported (expected "${MESSAGE_FORMAT_VERSION}")`,
    );
  }

  expect(UUID.test(envelope.messageId), 'messageId', 'a UUID');
  expect(/^\d{9}$/.test(envelope.senderOrganizationIdentifier), 'senderOrganizationIdentifier', 'a 9-digit organisation number');
  expect(THUMBPRINT.test(envelope.encryptionCertificateThumbprint), 'encryptionCertificateThumbprint', '40 hex digits');
  expect(THUMBPRINT.test(envelope.signatureCertificateThumbprint), 'signatureCertificateThumbprint', '40 hex digits');
  for (const field of ['rapporteringFra', 'rapporteringTil', 'generatedAt'] as const) {
    expect(isInstant(envelope[field]), field, 'an ISO 8601 instant with an explicit offset');
  }

  if (Date.parse(envelope.rapporteringFra) > Date.parse(envelope.rapporteringTil)) {
    throw new EnvelopeError('ENVELOPE_PERIOD_INVALID', 'rapporteringFra is after rapporteringTil');
  }
}

/** Decodes a standard Base64 field, refusing anything else (Node's decoder would skip junk). */
export function decodeBase64(envelope: Partial<SignertKryptertBundle>, field: EnvelopeField): Buffer {
  const text = envelope[field] ?? '';
  if (!isStandardBase64(text)) {
    throw new EnvelopeError('ENVELOPE_BAD_BASE64', `envelope field "${field}" is not standard Base64`);
  }
  return Buffer.from(text, 'base64');
}

export function isStandardBase64(text: string): boolean {
  return BASE64.test(text) && text.length % 4 === 0;
}

/** The AES-GCM nonce: 12 bytes, as .NET's AesGcm and the SPEC use. */
export function decodeNonce(envelope: EnvelopeHeader): Buffer {
  const nonce = decodeBase64(envelope, 'nonce');
  if (nonce.length !== 12) throw new EnvelopeError('ENVELOPE_NONCE_LENGTH', `nonce is ${nonce.length} bytes; it must be 12`);
  return nonce;
}

/** The AES-GCM authentication tag: 16 bytes (a shorter tag would weaken authentication). */
export function decodeTag(envelope: EnvelopeHeader): Buffer {
  const tag = decodeBase64(envelope, 'authenticationTag');
  if (tag.length !== 16) throw new EnvelopeError('ENVELOPE_TAG_LENGTH', `authenticationTag is ${tag.length} bytes; it must be 16`);
  return tag;
}

/** Checks `text` is an instant with an explicit offset, as rapporteringFra/Til must be. */
export function isInstant(text: string): boolean {
  if (!INSTANT.test(text) || Number.isNaN(Date.parse(text))) return false;

  // Date.parse rolls 2025-02-30 over into March; a real calendar day must survive a round trip.
  const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

function expect(ok: boolean, field: string, what: string): void {
  if (!ok) throw new EnvelopeError('ENVELOPE_FIELD_INVALID', `envelope field "${field}" must be ${what}`);
}
