// Every way an envelope can be wrong, each with the stable code that names it. The in-memory and
// the streaming opener are both run over this one table.
import { constants, publicEncrypt, randomBytes, sign } from 'node:crypto';
import { gzipSync } from 'node:zlib';

import type { InflationLimits } from '../../src/envelope/index.js';
import { OTHER_ORG, SENDER_ORG, independentSeal, independentSealText, parties, sampleContent, type EnvelopeValues } from './helpers.js';

export interface RejectionCase {
  name: string;
  body: unknown;
  code: string;
  limits?: InflationLimits;
}

export async function rejectionCases(): Promise<RejectionCase[]> {
  const p = parties();
  const valid = await independentSealText(sampleContent(), p);
  const withChanges = (changes: Record<string, unknown>, remove: string[] = []) => {
    const values: Record<string, unknown> = { ...valid, ...changes };
    for (const name of remove) delete values[name];
    return values;
  };
  const sealedPayload = (payload: Buffer, orgNumber = SENDER_ORG): Promise<EnvelopeValues> =>
    independentSeal({ payload, sender: p.sender, register: p.register.certificate, orgNumber });
  const wrap = (certificate: typeof p.register.certificate, key: Buffer) =>
    publicEncrypt({ key: certificate.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, key).toString('base64');

  const changedContent = Buffer.from(valid.EncryptedContent!, 'base64');
  changedContent[0]! ^= 1;
  const changedTag = Buffer.from(valid.AuthenticationTag!, 'base64');
  changedTag[15]! ^= 0x80;
  const signatureByOther = sign('sha256', Buffer.from(valid.EncryptedContent!, 'base64'), p.otherSender.privateKey);

  return [
    { name: 'a JSON array instead of an object', body: [], code: 'ENVELOPE_NOT_JSON' },
    { name: 'a JSON string instead of an object', body: 'text', code: 'ENVELOPE_NOT_JSON' },
    { name: 'a missing field', body: withChanges({}, ['Nonce']), code: 'ENVELOPE_FIELD_MISSING' },
    { name: 'a missing encryptedContent', body: withChanges({}, ['EncryptedContent']), code: 'ENVELOPE_FIELD_MISSING' },
    { name: 'an empty field', body: withChanges({ Signature: '' }), code: 'ENVELOPE_FIELD_MISSING' },
    { name: 'a field that is a number', body: withChanges({ MessageFormatVersion: 1.0 }), code: 'ENVELOPE_FIELD_INVALID' },
    { name: 'a field that is an object', body: withChanges({ Nonce: { value: valid.Nonce } }), code: 'ENVELOPE_FIELD_INVALID' },
    { name: 'an unknown field', body: withChanges({ Comment: 'hello' }), code: 'ENVELOPE_UNKNOWN_FIELD' },
    { name: 'a field twice in different casing', body: withChanges({ nonce: valid.Nonce }), code: 'ENVELOPE_FIELD_DUPLICATE' },
    { name: 'encryptedContent with a non-Base64 character', body: withChanges({ EncryptedContent: `*${valid.EncryptedContent}` }), code: 'ENVELOPE_BAD_BASE64' },
    { name: 'encryptedContent with padding inside', body: withChanges({ EncryptedContent: `AA==${valid.EncryptedContent}` }), code: 'ENVELOPE_BAD_BASE64' },
    { name: 'encryptedContent in URL-safe Base64', body: withChanges({ EncryptedContent: valid.EncryptedContent!.replaceAll('+', '-').replaceAll('/', '_').replace(/^./, '-') }), code: 'ENVELOPE_BAD_BASE64' },
    { name: 'a nonce without its padding', body: withChanges({ Nonce: 'AAAAAAAAAAAAAAAAAA' }), code: 'ENVELOPE_BAD_BASE64' },
    { name: 'a nonce of 16 bytes', body: withChanges({ Nonce: randomBytes(16).toString('base64') }), code: 'ENVELOPE_NONCE_LENGTH' },
    { name: 'a tag of 12 bytes', body: withChanges({ AuthenticationTag: randomBytes(12).toString('base64') }), code: 'ENVELOPE_TAG_LENGTH' },
    { name: 'a key wrapped for another register certificate', body: withChanges({ EncryptedKey: wrap(p.nextRegister.certificate, randomBytes(32)) }), code: 'ENVELOPE_KEY_UNWRAP_FAILED' },
    { name: 'a wrapped key that is not 256 bits', body: withChanges({ EncryptedKey: wrap(p.register.certificate, randomBytes(16)) }), code: 'ENVELOPE_KEY_UNWRAP_FAILED' },
    { name: 'an unknown encryption certificate', body: withChanges({ EncryptionCertificateThumbprint: 'A'.repeat(40) }), code: 'ENVELOPE_UNKNOWN_ENCRYPTION_CERT' },
    { name: 'an unknown signature certificate', body: withChanges({ SignatureCertificateThumbprint: 'b'.repeat(40) }), code: 'ENVELOPE_UNKNOWN_SIGNATURE_CERT' },
    { name: 'a signature over changed content', body: withChanges({ EncryptedContent: changedContent.toString('base64') }), code: 'ENVELOPE_SIGNATURE_INVALID' },
    { name: 'a signature by another key', body: withChanges({ Signature: signatureByOther.toString('base64') }), code: 'ENVELOPE_SIGNATURE_INVALID' },
    {
      name: 'a signature by another key, and a key for another certificate (the signature is reported)',
      body: withChanges({ Signature: signatureByOther.toString('base64'), EncryptedKey: wrap(p.nextRegister.certificate, randomBytes(32)) }),
      code: 'ENVELOPE_SIGNATURE_INVALID',
    },
    {
      name: 'a signature by another key, and a nonce of 16 bytes (the signature is reported)',
      body: withChanges({ Signature: signatureByOther.toString('base64'), Nonce: randomBytes(16).toString('base64') }),
      code: 'ENVELOPE_SIGNATURE_INVALID',
    },
    { name: 'a changed nonce (the plaintext is garbage; the tag is reported)', body: withChanges({ Nonce: randomBytes(12).toString('base64') }), code: 'ENVELOPE_TAG_INVALID' },
    { name: 'a tag that does not authenticate', body: withChanges({ AuthenticationTag: changedTag.toString('base64') }), code: 'ENVELOPE_TAG_INVALID' },
    { name: 'content that is not gzip', body: await sealedPayload(Buffer.from(sampleContent())), code: 'ENVELOPE_NOT_GZIP' },
    { name: 'content that is broken gzip', body: await sealedPayload(Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])), code: 'ENVELOPE_NOT_GZIP' },
    { name: 'content that is truncated gzip', body: await sealedPayload(gzipSync(sampleContent()).subarray(0, 20)), code: 'ENVELOPE_NOT_GZIP' },
    { name: 'content that is not UTF-8', body: await sealedPayload(gzipSync(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))), code: 'ENVELOPE_NOT_UTF8' },
    { name: 'content that ends inside a UTF-8 character', body: await sealedPayload(gzipSync(Buffer.from([0x7b, 0x7d, 0xc3]))), code: 'ENVELOPE_NOT_UTF8' },
    { name: 'content that is not JSON', body: await sealedPayload(gzipSync('<Bundle/>')), code: 'ENVELOPE_CONTENT_NOT_JSON' },
    { name: 'an organisation number not in the signing certificate', body: await sealedPayload(gzipSync(sampleContent()), OTHER_ORG), code: 'ENVELOPE_ORG_MISMATCH' },
    { name: 'rapporteringFra after rapporteringTil', body: withChanges({ RapporteringFra: '2025-02-01T00:00:00Z', RapporteringTil: '2025-01-01T00:00:00Z' }), code: 'ENVELOPE_PERIOD_INVALID' },
    { name: 'messageFormatVersion 1.1', body: withChanges({ MessageFormatVersion: '1.1' }), code: 'ENVELOPE_VERSION_UNSUPPORTED' },
    { name: 'messageFormatVersion 1', body: withChanges({ MessageFormatVersion: '1' }), code: 'ENVELOPE_VERSION_UNSUPPORTED' },
    { name: 'a messageId that is not a UUID', body: withChanges({ MessageId: 'not-a-uuid' }), code: 'ENVELOPE_FIELD_INVALID' },
    { name: 'an organisation number of 8 digits', body: withChanges({ SenderOrganizationIdentifier: '97476067' }), code: 'ENVELOPE_FIELD_INVALID' },
    { name: 'an instant without offset', body: withChanges({ RapporteringFra: '2025-01-01T00:00:00' }), code: 'ENVELOPE_FIELD_INVALID' },
    { name: 'an instant on a day that does not exist', body: withChanges({ RapporteringTil: '2025-02-30T00:00:00Z' }), code: 'ENVELOPE_FIELD_INVALID' },
    { name: 'an instant at hour 25', body: withChanges({ GeneratedAt: '2025-01-01T25:00:00Z' }), code: 'ENVELOPE_FIELD_INVALID' },
    { name: 'an instant with 8 fractional digits', body: withChanges({ GeneratedAt: '2025-01-01T00:00:00.12345678Z' }), code: 'ENVELOPE_FIELD_INVALID' },
    { name: 'a thumbprint with separators', body: withChanges({ EncryptionCertificateThumbprint: 'AB:CD' }), code: 'ENVELOPE_FIELD_INVALID' },
    {
      name: 'a gzip bomb beyond the size limit',
      body: await sealedPayload(gzipSync(JSON.stringify({ padding: ' '.repeat(300_000) }))),
      code: 'ENVELOPE_TOO_LARGE',
      limits: { maxInflatedBytes: 100_000 },
    },
    {
      name: 'a gzip bomb beyond the ratio limit',
      body: await sealedPayload(gzipSync(JSON.stringify({ padding: ' '.repeat(3_000_000) }))),
      code: 'ENVELOPE_RATIO_EXCEEDED',
      limits: { maxInflationRatio: 50, ratioFloorBytes: 64 * 1024 },
    },
  ];
}
