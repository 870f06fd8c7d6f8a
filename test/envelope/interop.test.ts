// Interoperability: our sealed output opened with code that shares nothing with src/envelope
// (WebCrypto, and the openssl command line), the way the register's .NET code would open it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import { gunzipSync } from 'node:zlib';

import { afterAll, describe, expect, it } from 'vitest';

import { open, serializeEnvelope, type SignertKryptertBundle } from '../../src/envelope/index.js';
import { dotnetJson, independentSealText, parties, sampleContent, sealSample } from './helpers.js';

const { subtle } = webcrypto;
const p = parties();
const work = mkdtempSync(join(tmpdir(), 'lmdi-interop-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function sealed(): SignertKryptertBundle {
  return JSON.parse(serializeEnvelope(sealSample(p))) as SignertKryptertBundle;
}

const bytes = (b64: string) => Buffer.from(b64, 'base64');

describe('our sealed envelopes open with independent code', () => {
  it('WebCrypto verifies, unwraps, decrypts; gunzip inflates', async () => {
    const envelope = sealed();
    const ciphertext = bytes(envelope.encryptedContent);

    const spki = p.sender.certificate.publicKey.export({ format: 'der', type: 'spki' });
    const verifier = await subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    expect(await subtle.verify('RSASSA-PKCS1-v1_5', verifier, bytes(envelope.signature), ciphertext)).toBe(true);

    const pkcs8 = p.register.privateKey.export({ format: 'der', type: 'pkcs8' });
    const oaep = await subtle.importKey('pkcs8', pkcs8, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt']);
    const aesKey = await subtle.decrypt({ name: 'RSA-OAEP' }, oaep, bytes(envelope.encryptedKey));
    expect(aesKey.byteLength).toBe(32);

    const aes = await subtle.importKey('raw', aesKey, 'AES-GCM', false, ['decrypt']);
    const withTag = Buffer.concat([ciphertext, bytes(envelope.authenticationTag)]);
    const compressed = await subtle.decrypt({ name: 'AES-GCM', iv: bytes(envelope.nonce), tagLength: 128 }, aes, withTag);
    expect(gunzipSync(Buffer.from(compressed)).toString('utf8')).toBe(sampleContent());
  });

  it('the openssl command line verifies the signature and unwraps the key (OAEP, SHA-256, MGF1-SHA-256)', () => {
    const envelope = sealed();
    const file = (name: string, data: string | Buffer) => {
      writeFileSync(join(work, name), data);
      return join(work, name);
    };
    const ciphertext = file('ct.bin', bytes(envelope.encryptedContent));
    const signature = file('sig.bin', bytes(envelope.signature));
    const senderPub = file('sender.pub.pem', p.sender.certificate.publicKey.export({ format: 'pem', type: 'spki' }) as string);
    const registerKey = file('register.key.pem', p.register.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    const wrapped = file('key.bin', bytes(envelope.encryptedKey));

    const verified = execFileSync('openssl', ['dgst', '-sha256', '-verify', senderPub, '-signature', signature, ciphertext]).toString();
    expect(verified).toContain('Verified OK');

    const aesKey = execFileSync('openssl', [
      'pkeyutl', '-decrypt', '-inkey', registerKey, '-in', wrapped,
      '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256',
    ]);
    expect(aesKey).toHaveLength(32);
  });
});

describe('envelopes built independently, in the .NET sample style, open', () => {
  it('PascalCase, sample property order, indented, 7-digit fractions', async () => {
    const text = dotnetJson(await independentSealText(sampleContent(), p));
    expect(Object.keys(JSON.parse(text))[0]).toBe('EncryptedContent');
    const opened = open(JSON.parse(text), { registerCredentials: [p.register], findSenderCertificate: () => p.sender.certificate });
    expect(opened.content).toBe(sampleContent());
  });
});
