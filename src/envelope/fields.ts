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

/**
 * Reads an envelope as the register's senders write it: camelCase or PascalCase names, any order,
 * any whitespace. Refuses unknown and missing fields and malformed values, naming the field.
 */
export function readEnvelope(input: unknown): SignertKryptertBundle {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new EnvelopeError('ENVELOPE_NOT_JSON', 'the envelope is not a JSON object');
  }

  const envelope: Partial<Record<string, unknown>> = {};
  for (const [name, value] of Object.entries(input)) {
    const field = ENVELOPE_FIELDS.find((known) => known.toLowerCase() === name.toLowerCase());
    if (!field) throw new EnvelopeError('ENVELOPE_UNKNOWN_FIELD', `unknown envelope field "${name}"`);
    envelope[field] = value;
  }

  for (const field of ENVELOPE_FIELDS) {
    if (typeof envelope[field] !== 'string' || envelope[field] === '') {
      throw new EnvelopeError('ENVELOPE_FIELD_MISSING', `envelope field "${field}" is missing or not a string`);
    }
  }

  const checked = envelope as unknown as SignertKryptertBundle;
  checkValues(checked);
  return checked;
}

function checkValues(envelope: SignertKryptertBundle): void {
  if (envelope.messageFormatVersion !== MESSAGE_FORMAT_VERSION) {
    throw new EnvelopeError(
      'ENVELOPE_VERSION_UNSUPPORTED',
      `messageFormatVersion "${envelope.messageFormatVersion}" is not supported (expected "${MESSAGE_FORMAT_VERSION}")`,
    );
  }

  expect(UUID.test(envelope.messageId), 'messageId', 'a UUID');
  expect(/^\d{9}$/.test(envelope.senderOrganizationIdentifier), 'senderOrganizationIdentifier', 'a 9-digit organisation number');
  expect(THUMBPRINT.test(envelope.encryptionCertificateThumbprint), 'encryptionCertificateThumbprint', '40 hex digits');
  expect(THUMBPRINT.test(envelope.signatureCertificateThumbprint), 'signatureCertificateThumbprint', '40 hex digits');
  for (const field of ['rapporteringFra', 'rapporteringTil', 'generatedAt'] as const) {
    expect(INSTANT.test(envelope[field]), field, 'an ISO 8601 instant with an explicit offset');
  }

  if (Date.parse(envelope.rapporteringFra) > Date.parse(envelope.rapporteringTil)) {
    throw new EnvelopeError('ENVELOPE_PERIOD_INVALID', 'rapporteringFra is after rapporteringTil');
  }
}

/** Decodes a standard Base64 field, refusing anything else (Node's decoder would skip junk). */
export function decodeBase64(envelope: SignertKryptertBundle, field: keyof SignertKryptertBundle): Buffer {
  const text = envelope[field];
  if (!BASE64.test(text) || text.length % 4 !== 0) {
    throw new EnvelopeError('ENVELOPE_BAD_BASE64', `envelope field "${field}" is not standard Base64`);
  }
  return Buffer.from(text, 'base64');
}

/** Checks `text` is an instant with an explicit offset, as rapporteringFra/Til must be. */
export function isInstant(text: string): boolean {
  return INSTANT.test(text) && !Number.isNaN(Date.parse(text));
}

function expect(ok: boolean, field: string, what: string): void {
  if (!ok) throw new EnvelopeError('ENVELOPE_FIELD_INVALID', `envelope field "${field}" must be ${what}`);
}
