import { randomBytes, webcrypto } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';

import { afterAll, describe, expect, it } from 'vitest';

import { thumbprint } from '../../src/certs/index.js';
import { ENVELOPE_FIELDS, open, openFile, openStream, sealFile, type OpenStreamOptions } from '../../src/envelope/index.js';
import { rejectionCases } from './cases.js';
import { SENDER_ORG, camelCase, dotnetJson, independentSealText, parties, sampleContent } from './helpers.js';

const p = parties();
const work = mkdtempSync(join(tmpdir(), 'lmdi-stream-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const options: OpenStreamOptions = {
  registerCredentials: [p.register, p.nextRegister],
  findSenderCertificate: (thumb) => (thumb.toUpperCase() === thumbprint(p.sender.certificate) ? p.sender.certificate : undefined),
};

const period = { rapporteringFra: '2025-01-01T00:00:00+01:00', rapporteringTil: '2025-01-31T23:59:59+01:00' };
let counter = 0;
const fresh = (name: string) => join(work, `${counter++}-${name}`);

async function sealText(text: string | Buffer): Promise<string> {
  const bundle = fresh('bundle.json');
  writeFileSync(bundle, text);
  const envelope = fresh('envelope.json');
  await sealFile(bundle, envelope, { ...period, senderCertificate: p.sender.certificate, senderKey: p.sender.privateKey, registerCertificate: p.register.certificate });
  return envelope;
}

/** A bundle-like JSON text with incompressible parts, so the Base64 spans many pieces. */
function largeContent(bytes: number): string {
  return JSON.stringify({ resourceType: 'Bundle', noise: randomBytes(bytes / 2).toString('hex'), note: 'æøå 😀' });
}

describe('sealFile', () => {
  it('writes camelCase fields in SPEC order that the in-memory open reads', async () => {
    const envelope = await sealText(sampleContent());
    const parsed = JSON.parse(readFileSync(envelope, 'utf8'));
    expect(Object.keys(parsed)).toEqual([...ENVELOPE_FIELDS]);
    expect(parsed.senderOrganizationIdentifier).toBe(SENDER_ORG);
    expect(parsed.encryptedContent).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(open(parsed, options).content).toBe(sampleContent());
  });

  it('writes content that WebCrypto decrypts, across many stream pieces', async () => {
    const text = largeContent(3_000_000);
    const envelope = JSON.parse(readFileSync(await sealText(text), 'utf8'));
    const pkcs8 = p.register.privateKey.export({ format: 'der', type: 'pkcs8' });
    const oaep = await webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt']);
    const key = await webcrypto.subtle.decrypt({ name: 'RSA-OAEP' }, oaep, Buffer.from(envelope.encryptedKey, 'base64'));
    const aes = await webcrypto.subtle.importKey('raw', key, 'AES-GCM', false, ['decrypt']);
    const sealed = Buffer.concat([Buffer.from(envelope.encryptedContent, 'base64'), Buffer.from(envelope.authenticationTag, 'base64')]);
    const compressed = await webcrypto.subtle.decrypt({ name: 'AES-GCM', iv: Buffer.from(envelope.nonce, 'base64') }, aes, sealed);
    expect(gunzipSync(Buffer.from(compressed)).toString('utf8')).toBe(text);
  });

  it('refuses bad parameters before writing anything', async () => {
    const bundle = fresh('bundle.json');
    writeFileSync(bundle, sampleContent());
    const envelope = fresh('envelope.json');
    await expect(
      sealFile(bundle, envelope, { ...period, rapporteringFra: '2025-03-01T00:00:00Z', senderCertificate: p.sender.certificate, senderKey: p.sender.privateKey, registerCertificate: p.register.certificate }),
    ).rejects.toMatchObject({ code: 'ENVELOPE_PERIOD_INVALID' });
    expect(existsSync(envelope)).toBe(false);
  });
});

describe('openFile', () => {
  it('round-trips a large bundle byte for byte', async () => {
    const text = largeContent(3_000_000);
    const out = fresh('opened.json');
    const result = await openFile(await sealText(text), out, options);
    expect(readFileSync(out, 'utf8')).toBe(text);
    expect(result.contentBytes).toBe(Buffer.byteLength(text));
    expect(result.envelope.senderOrganizationIdentifier).toBe(SENDER_ORG);
  });

  it('stages a large ciphertext in a temporary file, and removes it afterwards', async () => {
    const text = largeContent(3_000_000);
    const folder = fresh('spill');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder);
    const out = join(folder, 'opened.json');
    await openFile(await sealText(text), out, { ...options, memoryLimitBytes: 64 * 1024 });
    expect(readFileSync(out, 'utf8')).toBe(text);
    expect(readdirSync(folder)).toEqual(['opened.json']);
  });

  it('opens the .NET sample style: PascalCase, sample order, indented with CRLF, 7-digit fractions', async () => {
    const envelope = fresh('dotnet.json');
    writeFileSync(envelope, dotnetJson(await independentSealText(sampleContent(), p)));
    const out = fresh('opened.json');
    const result = await openFile(envelope, out, options);
    expect(readFileSync(out, 'utf8')).toBe(sampleContent());
    expect(result.envelope.generatedAt).toBe('2025-02-01T08:15:30.1234567Z');
  });

  it('opens camelCase in reverse order with lower-case thumbprints, and a byte-order mark', async () => {
    const values = camelCase(await independentSealText(sampleContent(), p));
    values.signatureCertificateThumbprint = values.signatureCertificateThumbprint!.toLowerCase();
    values.encryptionCertificateThumbprint = values.encryptionCertificateThumbprint!.toLowerCase();
    const text = '\uFEFF' + JSON.stringify(Object.fromEntries(Object.entries(values).reverse()));
    const out = fresh('opened.json');
    await openStream(Readable.from([Buffer.from(text)]), out, options);
    expect(readFileSync(out, 'utf8')).toBe(sampleContent());
  });
});

describe('openFile refuses, with the same codes as open, and leaves no output behind', async () => {
  const folder = fresh('refusals');

  async function refusal(text: string, limits = {}): Promise<string | undefined> {
    rmSync(folder, { recursive: true, force: true });
    const envelope = fresh('envelope.json');
    writeFileSync(envelope, text);
    const out = join(folder, 'bundle.json');
    try {
      const { mkdirSync } = await import('node:fs');
      mkdirSync(folder, { recursive: true });
      await openFile(envelope, out, { ...options, registerCredentials: [p.register], ...limits });
      return undefined;
    } catch (error) {
      expect(readdirSync(folder)).toEqual([]);
      return (error as { code?: string }).code;
    }
  }

  for (const rejection of await rejectionCases()) {
    it(rejection.name, async () => {
      expect(await refusal(JSON.stringify(rejection.body), rejection.limits)).toBe(rejection.code);
    });
  }

  it('a tag that does not authenticate, with the ciphertext staged in a temporary file', async () => {
    const values = await independentSealText(largeContent(1_000_000), p);
    const tag = Buffer.from(values.AuthenticationTag!, 'base64');
    tag[0]! ^= 1;
    const text = JSON.stringify({ ...values, AuthenticationTag: tag.toString('base64') });
    expect(await refusal(text, { memoryLimitBytes: 64 * 1024 })).toBe('ENVELOPE_TAG_INVALID');
  });

  it('text that is not JSON, truncated JSON, and text after the object', async () => {
    const valid = JSON.stringify(await independentSealText(sampleContent(), p));
    expect(await refusal('not json')).toBe('ENVELOPE_NOT_JSON');
    expect(await refusal(valid.slice(0, valid.length / 2))).toBe('ENVELOPE_NOT_JSON');
    expect(await refusal(`${valid} {}`)).toBe('ENVELOPE_NOT_JSON');
    expect(await refusal('')).toBe('ENVELOPE_NOT_JSON');
  });

  it('a short field longer than any real value', async () => {
    const values = await independentSealText(sampleContent(), p);
    expect(await refusal(JSON.stringify({ ...values, MessageId: 'x'.repeat(100_000) }))).toBe('ENVELOPE_FIELD_INVALID');
  });

  it('a content with a JSON escape that decodes to a non-Base64 character', async () => {
    const values = await independentSealText(sampleContent(), p);
    const escaped = JSON.stringify(values).replace('"EncryptedContent":"', '"EncryptedContent":"\\u0021');
    expect(await refusal(escaped)).toBe('ENVELOPE_BAD_BASE64');
  });

  it('a malformed escape, and a name that is not a string', async () => {
    const values = await independentSealText(sampleContent(), p);
    expect(await refusal(JSON.stringify(values).replace('"EncryptedContent":"', '"EncryptedContent":"\\x41'))).toBe('ENVELOPE_NOT_JSON');
    expect(await refusal(JSON.stringify(values).replace('"Nonce":', 'Nonce:'))).toBe('ENVELOPE_NOT_JSON');
  });
});

describe('openStream reads any chunking', () => {
  /** Escapes as System.Text.Json's default encoder writes Base64: '+' as \u002B; '/' as \/ for good measure. */
  function dotnetEscaped(text: string): string {
    return text.replaceAll('+', '\\u002B').replaceAll('/', '\\/');
  }

  it('JSON escapes inside the Base64 and the names, split across tiny chunks', async () => {
    const text = largeContent(200_000);
    const values = await independentSealText(text, p);
    const json = dotnetEscaped(dotnetJson(values)).replace('"MessageId"', '"Message\\u0049d"');
    expect(json).toContain('\\u002B');

    const bytes = Buffer.from('\uFEFF' + json);
    for (const size of [1, 7, 4096]) {
      const pieces: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
      const out = fresh('opened.json');
      const result = await openStream(Readable.from(pieces), out, options);
      expect(readFileSync(out, 'utf8')).toBe(text);
      expect(result.envelope.messageId).toBe(values.MessageId);
    }
  });
});
