import { createPrivateKey } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { thumbprint } from '../../src/certs/index.js';
import { ENVELOPE_FIELDS, open, serializeEnvelope } from '../../src/envelope/index.js';
import { OTHER_ORG, SENDER_ORG, parties, sampleContent, sealSample } from './helpers.js';

const p = parties();


describe('seal', () => {
  it('emits camelCase fields in exactly the SPEC order', () => {
    const json = serializeEnvelope(sealSample(p));
    expect(Object.keys(JSON.parse(json))).toEqual([
      'messageId', 'senderOrganizationIdentifier', 'messageFormatVersion', 'rapporteringFra', 'rapporteringTil',
      'encryptedContent', 'encryptionCertificateThumbprint', 'encryptedKey', 'nonce', 'authenticationTag',
      'signatureCertificateThumbprint', 'signature', 'generatedAt',
    ]);
    expect(ENVELOPE_FIELDS).toEqual(Object.keys(JSON.parse(json)));
  });

  it('writes standard Base64, a UUID, version 1.0, instants with offset and upper-case thumbprints', () => {
    const envelope = sealSample(p, { now: new Date('2025-02-01T10:00:00.123Z') });
    for (const field of ['encryptedContent', 'encryptedKey', 'nonce', 'authenticationTag', 'signature'] as const) {
      expect(envelope[field]).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      expect(envelope[field].length % 4).toBe(0);
    }
    expect(Buffer.from(envelope.nonce, 'base64')).toHaveLength(12);
    expect(Buffer.from(envelope.authenticationTag, 'base64')).toHaveLength(16);
    expect(envelope.messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(envelope.messageFormatVersion).toBe('1.0');
    expect(envelope.generatedAt).toBe('2025-02-01T10:00:00.123Z');
    expect(envelope.senderOrganizationIdentifier).toBe(SENDER_ORG);
    expect(envelope.encryptionCertificateThumbprint).toBe(thumbprint(p.register.certificate));
    expect(envelope.signatureCertificateThumbprint).toBe(thumbprint(p.sender.certificate));
    expect(envelope.signatureCertificateThumbprint).toMatch(/^[0-9A-F]{40}$/);
  });

  it('draws a fresh key and nonce every time', () => {
    const [a, b] = [sealSample(p), sealSample(p)];
    expect(a.nonce).not.toBe(b.nonce);
    expect(a.encryptedKey).not.toBe(b.encryptedKey);
    expect(a.messageId).not.toBe(b.messageId);
  });

  it('round-trips through open', () => {
    const opened = open(JSON.parse(serializeEnvelope(sealSample(p))), {
      registerCredentials: [p.register],
      findSenderCertificate: () => p.sender.certificate,
    });
    expect(opened.content).toBe(sampleContent());
  });

  it('refuses an organisation number that is not the sender certificate’s', () => {
    expect(() => sealSample(p, { senderOrganizationIdentifier: OTHER_ORG })).toThrow(expect.objectContaining({ code: 'ENVELOPE_ORG_MISMATCH' }));
  });

  it('refuses a period that ends before it starts, or instants without an offset', () => {
    expect(() => sealSample(p, { rapporteringFra: '2025-02-01T00:00:00Z', rapporteringTil: '2025-01-01T00:00:00Z' })).toThrow(
      expect.objectContaining({ code: 'ENVELOPE_PERIOD_INVALID' }),
    );
    expect(() => sealSample(p, { rapporteringFra: '2025-01-01T00:00:00' })).toThrow(expect.objectContaining({ code: 'ENVELOPE_FIELD_INVALID' }));
  });

  it('refuses a sender key that does not belong to the sender certificate', () => {
    const wrongKey = createPrivateKey(p.otherSender.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    expect(() => sealSample(p, { senderKey: wrongKey })).toThrow(expect.objectContaining({ code: 'KEY_CERT_MISMATCH' }));
  });
});
