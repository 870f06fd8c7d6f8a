import { constants, publicEncrypt, randomBytes, sign } from 'node:crypto';
import { gzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import { isLmdiError } from '../../src/errors/index.js';
import { open, seal, type OpenOptions } from '../../src/envelope/index.js';
import { thumbprint } from '../../src/certs/index.js';
import { OTHER_ORG, SENDER_ORG, camelCase, dotnetJson, independentSeal, independentSealText, parties, sampleContent, type EnvelopeValues } from './helpers.js';

const p = parties();

const options: OpenOptions = {
  registerCredentials: [p.register],
  findSenderCertificate: (thumb) => (thumb.toUpperCase() === thumbprint(p.sender.certificate) ? p.sender.certificate : undefined),
};

function openingFails(input: unknown, code: string, extra: Partial<OpenOptions> = {}): void {
  let caught: unknown;
  try {
    open(input, { ...options, ...extra });
  } catch (error) {
    caught = error;
  }
  expect(isLmdiError(caught), `expected an LmdiError, got ${String(caught)}`).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
}

/** A valid envelope in the .NET sample style, with one PascalCase field replaced (or removed). */
async function sampleWith(changes: EnvelopeValues = {}, remove: string[] = []): Promise<Record<string, string>> {
  const values = { ...(await independentSealText(sampleContent(), p)), ...changes };
  for (const name of remove) delete values[name];
  return values;
}

async function sealedPayload(payload: Buffer, orgNumber = SENDER_ORG): Promise<EnvelopeValues> {
  return independentSeal({ payload, sender: p.sender, register: p.register.certificate, orgNumber });
}

describe('open accepts what the register’s samples produce', () => {
  it('PascalCase names in the sample order, pretty-printed with CRLF, 7 fractional digits', async () => {
    const text = dotnetJson(await sampleWith());
    expect(text).toContain('\r\n  "EncryptedContent": ');
    const opened = open(JSON.parse(text), options);
    expect(opened.content).toBe(sampleContent());
    expect(opened.envelope.rapporteringFra).toBe('2025-01-01T00:00:00.0000000+01:00');
    expect(opened.envelope.generatedAt).toBe('2025-02-01T08:15:30.1234567Z');
  });

  it('camelCase names in any order', async () => {
    const entries = Object.entries(camelCase(await sampleWith())).reverse();
    expect(open(Object.fromEntries(entries), options).content).toBe(sampleContent());
  });

  it('thumbprints in lower case', async () => {
    const values = await sampleWith();
    values.EncryptionCertificateThumbprint = values.EncryptionCertificateThumbprint!.toLowerCase();
    values.SignatureCertificateThumbprint = values.SignatureCertificateThumbprint!.toLowerCase();
    expect(open(values, options).content).toBe(sampleContent());
  });

  it('picks the register key pair the envelope names when the register holds several', async () => {
    const forNext = await independentSeal({
      payload: gzipSync(sampleContent()), sender: p.sender, register: p.nextRegister.certificate, orgNumber: SENDER_ORG,
    });
    const rollover = { registerCredentials: [p.register, p.nextRegister] };
    expect(open(forNext, { ...options, ...rollover }).content).toBe(sampleContent());
    expect(open(await sampleWith(), { ...options, ...rollover }).content).toBe(sampleContent());
    openingFails(forNext, 'ENVELOPE_UNKNOWN_ENCRYPTION_CERT');
  });

  it('a small bundle that compresses unusually well (below the ratio floor)', async () => {
    const text = JSON.stringify({ resourceType: 'Bundle', padding: ' '.repeat(2_000_000) });
    expect(open(await sealedPayload(gzipSync(text)), options).content).toBe(text);
  });
});

describe('open refuses, with a stable code', () => {
  it('a body that is not a JSON object', () => {
    for (const body of [null, [], 'text', 42]) openingFails(body, 'ENVELOPE_NOT_JSON');
  });

  it('a missing or empty field', async () => {
    openingFails(await sampleWith({}, ['Nonce']), 'ENVELOPE_FIELD_MISSING');
    openingFails(await sampleWith({ Signature: '' }), 'ENVELOPE_FIELD_MISSING');
  });

  it('a field that is not a string', async () => {
    openingFails({ ...(await sampleWith()), MessageFormatVersion: 1.0 }, 'ENVELOPE_FIELD_INVALID');
  });

  it('an unknown field', async () => {
    openingFails(await sampleWith({ Comment: 'hello' }), 'ENVELOPE_UNKNOWN_FIELD');
  });

  it('the same field twice in different casing', async () => {
    const values = await sampleWith();
    openingFails({ ...values, nonce: values.Nonce }, 'ENVELOPE_FIELD_DUPLICATE');
  });

  it('Base64 that is not standard Base64', async () => {
    const values = await sampleWith();
    const urlSafe = values.Signature!.replaceAll('+', '-').replaceAll('/', '_');
    openingFails({ ...values, EncryptedContent: `${values.EncryptedContent}*` }, 'ENVELOPE_BAD_BASE64');
    openingFails({ ...values, Signature: urlSafe === values.Signature ? '!!!!' : urlSafe }, 'ENVELOPE_BAD_BASE64');
    openingFails({ ...values, Nonce: values.Nonce!.replace(/=+$/, '') + 'A' }, 'ENVELOPE_BAD_BASE64');
  });

  it('a nonce that is not 12 bytes', async () => {
    openingFails(await sampleWith({ Nonce: randomBytes(16).toString('base64') }), 'ENVELOPE_NONCE_LENGTH');
  });

  it('a tag that is not 16 bytes', async () => {
    openingFails(await sampleWith({ AuthenticationTag: randomBytes(12).toString('base64') }), 'ENVELOPE_TAG_LENGTH');
  });

  it('a key that does not unwrap under the named register key', async () => {
    const wrappedForOther = publicEncrypt(
      { key: p.nextRegister.certificate.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      randomBytes(32),
    );
    openingFails(await sampleWith({ EncryptedKey: wrappedForOther.toString('base64') }), 'ENVELOPE_KEY_UNWRAP_FAILED');

    const wrongLength = publicEncrypt(
      { key: p.register.certificate.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      randomBytes(16),
    );
    openingFails(await sampleWith({ EncryptedKey: wrongLength.toString('base64') }), 'ENVELOPE_KEY_UNWRAP_FAILED');
  });

  it('thumbprints that name no known certificate', async () => {
    openingFails(await sampleWith({ EncryptionCertificateThumbprint: 'A'.repeat(40) }), 'ENVELOPE_UNKNOWN_ENCRYPTION_CERT');
    openingFails(await sampleWith({ SignatureCertificateThumbprint: 'B'.repeat(40) }), 'ENVELOPE_UNKNOWN_SIGNATURE_CERT');
  });

  it('a signature that does not verify (over changed content, or by another key)', async () => {
    const values = await sampleWith();
    const changed = Buffer.from(values.EncryptedContent!, 'base64');
    changed[0]! ^= 1;
    openingFails({ ...values, EncryptedContent: changed.toString('base64') }, 'ENVELOPE_SIGNATURE_INVALID');

    const byOther = sign('sha256', Buffer.from(values.EncryptedContent!, 'base64'), p.otherSender.privateKey);
    openingFails({ ...values, Signature: byOther.toString('base64') }, 'ENVELOPE_SIGNATURE_INVALID');
  });

  it('a tag that does not authenticate the content', async () => {
    const values = await sampleWith();
    const tag = Buffer.from(values.AuthenticationTag!, 'base64');
    tag[15]! ^= 0x80;
    openingFails({ ...values, AuthenticationTag: tag.toString('base64') }, 'ENVELOPE_TAG_INVALID');
  });

  it('content that is not gzip', async () => {
    openingFails(await sealedPayload(Buffer.from(sampleContent())), 'ENVELOPE_NOT_GZIP');
    openingFails(await sealedPayload(Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5])), 'ENVELOPE_NOT_GZIP');
  });

  it('content that is not UTF-8', async () => {
    openingFails(await sealedPayload(gzipSync(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))), 'ENVELOPE_NOT_UTF8');
  });

  it('content that is not JSON', async () => {
    openingFails(await sealedPayload(gzipSync('<Bundle/>')), 'ENVELOPE_CONTENT_NOT_JSON');
  });

  it('an organisation number that is not the signing certificate’s', async () => {
    openingFails(await sealedPayload(gzipSync(sampleContent()), OTHER_ORG), 'ENVELOPE_ORG_MISMATCH');
  });

  it('rapporteringFra after rapporteringTil', async () => {
    openingFails(await sampleWith({ RapporteringFra: '2025-02-01T00:00:00Z', RapporteringTil: '2025-01-01T00:00:00Z' }), 'ENVELOPE_PERIOD_INVALID');
  });

  it('a messageFormatVersion other than "1.0"', async () => {
    openingFails(await sampleWith({ MessageFormatVersion: '1.1' }), 'ENVELOPE_VERSION_UNSUPPORTED');
    openingFails(await sampleWith({ MessageFormatVersion: '1' }), 'ENVELOPE_VERSION_UNSUPPORTED');
  });

  it('malformed identifiers and instants', async () => {
    openingFails(await sampleWith({ MessageId: 'not-a-uuid' }), 'ENVELOPE_FIELD_INVALID');
    openingFails(await sampleWith({ SenderOrganizationIdentifier: '97476067' }), 'ENVELOPE_FIELD_INVALID');
    openingFails(await sampleWith({ RapporteringFra: '2025-01-01T00:00:00' }), 'ENVELOPE_FIELD_INVALID');
    openingFails(await sampleWith({ GeneratedAt: '2025-01-01T00:00:00.12345678Z' }), 'ENVELOPE_FIELD_INVALID');
    openingFails(await sampleWith({ EncryptionCertificateThumbprint: 'AB:CD' }), 'ENVELOPE_FIELD_INVALID');
  });

  it('a gzip bomb: content beyond the size limit', async () => {
    const envelope = await sealedPayload(gzipSync(JSON.stringify({ padding: ' '.repeat(300_000) })));
    openingFails(envelope, 'ENVELOPE_TOO_LARGE', { maxInflatedBytes: 100_000 });
  });

  it('a gzip bomb: content that inflates beyond the ratio limit', async () => {
    const envelope = await sealedPayload(gzipSync(JSON.stringify({ padding: ' '.repeat(3_000_000) })));
    openingFails(envelope, 'ENVELOPE_RATIO_EXCEEDED', { maxInflationRatio: 50, ratioFloorBytes: 64 * 1024 });
  });
});

describe('seal and open together', () => {
  it('an envelope sealed by seal() opens, and its signature binds the content', () => {
    const envelope = seal({
      content: Buffer.from(sampleContent()),
      senderCertificate: p.sender.certificate,
      senderKey: p.sender.privateKey,
      registerCertificate: p.nextRegister.certificate,
      rapporteringFra: '2025-01-01T00:00:00Z',
      rapporteringTil: '2025-01-01T00:00:00Z',
    });
    expect(open(envelope, { ...options, registerCredentials: [p.register, p.nextRegister] }).content).toBe(sampleContent());
  });
});
