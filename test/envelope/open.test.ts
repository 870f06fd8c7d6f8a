import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import { isLmdiError } from '../../src/errors/index.js';
import { open, seal, type OpenOptions } from '../../src/envelope/index.js';
import { thumbprint } from '../../src/certs/index.js';
import { OpensslWorkspace } from '../certs/openssl.js';
import { rejectionCases } from './cases.js';
import { SENDER_ORG, camelCase, dotnetJson, independentSeal, independentSealText, parties, sampleContent, type EnvelopeValues } from './helpers.js';

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

describe('open refuses, with a stable code', async () => {
  for (const rejection of await rejectionCases()) {
    it(rejection.name, () => openingFails(rejection.body, rejection.code, rejection.limits));
  }

  it('a signing certificate without an organisation number', async () => {
    const ws = new OpensslWorkspace();
    try {
      const [certPath, keyPath] = ws.selfSigned('noorg', '/C=NO/CN=no organisation number');
      const sender = { certificate: new X509Certificate(readFileSync(certPath)), privateKey: createPrivateKey(readFileSync(keyPath)) };
      const envelope = await independentSeal({ payload: gzipSync(sampleContent()), sender, register: p.register.certificate, orgNumber: SENDER_ORG });
      openingFails(envelope, 'ENVELOPE_ORG_MISMATCH', { findSenderCertificate: () => sender.certificate });
    } finally {
      ws.remove();
    }
  });

  it('null and numbers as the body', () => {
    for (const body of [null, 42]) openingFails(body, 'ENVELOPE_NOT_JSON');
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
