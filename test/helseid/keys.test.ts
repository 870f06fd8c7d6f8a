import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { calculateJwkThumbprint, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startAuthority } from '../../src/authority/index.js';
import type { RunningAuthority } from '../../src/authority/index.js';
import { createDevCertificates } from '../../src/certs/index.js';
import { HelseIdClient, generateSigningKey, loadPrivateKey, publicJwkOf, signingAlgorithmFor } from '../../src/helseid/index.js';
import { makeClientKey } from './helpers.js';

const ORG = '974633574';
const P12_PASSWORD = 'test-password';
const dir = mkdtempSync(join(tmpdir(), 'lmdi-keys-'));
const dev = createDevCertificates({ senderOrgNumber: ORG, p12Password: P12_PASSWORD });
const senderKey = createPrivateKey(dev.senderKeyPem);

let authority: RunningAuthority;

beforeAll(async () => {
  // The enterprise certificate's RSA key registered as a HelseID client key.
  const publicJwk = { ...publicJwkOf(senderKey.export({ format: 'jwk' }) as never), kid: 'cert-1' };
  authority = await startAuthority({ clients: [{ clientId: 'cert-client', orgNumber: ORG, publicJwks: { keys: [publicJwk] } }] });
});

afterAll(async () => {
  await authority?.close();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function tokenWith(clientKey: ReturnType<typeof loadPrivateKey>): Promise<string> {
  return new HelseIdClient({ issuer: authority.issuer, clientId: 'cert-client', clientKey }).getAccessToken();
}

describe('loadPrivateKey', () => {
  it('reads a PEM key and gets a token with it', async () => {
    const jwk = loadPrivateKey(file('sender.key.pem', dev.senderKeyPem), { kid: 'cert-1' });
    expect(jwk).toMatchObject({ kty: 'RSA', kid: 'cert-1' });
    expect(decodeJwt(await tokenWith(jwk)).client_id).toBe('cert-client');
  });

  it('reads an encrypted PEM key with its passphrase', async () => {
    const encrypted = senderKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pass-1' }) as string;
    const path = file('encrypted.key.pem', encrypted);
    expect(() => loadPrivateKey(path)).toThrow(expect.objectContaining({ code: 'KEY_UNREADABLE' }));
    expect(decodeJwt(await tokenWith(loadPrivateKey(path, { password: 'pass-1' }))).client_id).toBe('cert-client');
  });

  it('reads a PKCS#12 file and gets a token with its key', async () => {
    const path = file('sender.p12', dev.senderP12);
    const jwk = loadPrivateKey(path, { password: P12_PASSWORD });
    expect(decodeJwt(await tokenWith(jwk)).client_id).toBe('cert-client');
    expect(() => loadPrivateKey(path, { password: 'wrong' })).toThrow(expect.objectContaining({ code: 'PKCS12_UNREADABLE' }));
  });

  it('reads a private JWK and a JWK set with one key', async () => {
    const key = await makeClientKey('ES256', 'ec-1');
    expect(loadPrivateKey(file('key.jwk', JSON.stringify(key.privateJwk)))).toEqual(key.privateJwk);
    expect(loadPrivateKey(file('keys.jwks', JSON.stringify({ keys: [key.privateJwk] })))).toEqual(key.privateJwk);
  });

  it('refuses a public JWK, a JWK set of two and a missing file with specific codes', async () => {
    const key = await makeClientKey('ES256');
    expect(() => loadPrivateKey(file('public.jwk', JSON.stringify(key.publicJwk)))).toThrow(expect.objectContaining({ code: 'HELSEID_KEY_INVALID' }));
    expect(() => loadPrivateKey(file('two.jwks', JSON.stringify({ keys: [key.privateJwk, key.privateJwk] })))).toThrow(expect.objectContaining({ code: 'HELSEID_KEY_INVALID' }));
    expect(() => loadPrivateKey(join(dir, 'missing.jwk'))).toThrow(expect.objectContaining({ code: 'KEY_UNREADABLE' }));
    expect(() => loadPrivateKey(file('broken.jwk', '{ not json'))).toThrow(expect.objectContaining({ code: 'KEY_UNREADABLE' }));
  });
});

describe('signingAlgorithmFor', () => {
  it('defaults by key type and curve, and refuses algorithms that do not fit', async () => {
    expect(signingAlgorithmFor({ kty: 'RSA' })).toBe('PS256');
    expect(signingAlgorithmFor({ kty: 'EC', crv: 'P-384' })).toBe('ES384');
    expect(signingAlgorithmFor({ kty: 'EC', crv: 'P-521' })).toBe('ES512');
    expect(signingAlgorithmFor({ kty: 'RSA' }, 'RS512')).toBe('RS512');
    expect(signingAlgorithmFor({ kty: 'RSA', alg: 'PS384' })).toBe('PS384');
    expect(signingAlgorithmFor({ kty: 'RSA', alg: 'PS384' }, 'RS256')).toBe('RS256');
    expect(() => signingAlgorithmFor({ kty: 'EC', crv: 'P-256' }, 'ES384')).toThrow(expect.objectContaining({ code: 'HELSEID_KEY_INVALID' }));
    expect(() => signingAlgorithmFor({ kty: 'OKP', crv: 'Ed25519' })).toThrow(expect.objectContaining({ code: 'HELSEID_KEY_INVALID' }));
    expect(() => signingAlgorithmFor({ kty: 'RSA' }, 'none')).toThrow(expect.objectContaining({ code: 'HELSEID_KEY_INVALID' }));
  });
});

describe('generateSigningKey', () => {
  it('makes a key whose kid is its thumbprint and whose public half has no private members', async () => {
    const { privateJwk, publicJwk } = await generateSigningKey('ES256');
    expect(privateJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(privateJwk.d).toBeDefined();
    expect(publicJwk.d).toBeUndefined();
    expect(publicJwk.kid).toBe(await calculateJwkThumbprint(publicJwk));
  });

  it('refuses an algorithm HelseID does not allow', async () => {
    await expect(generateSigningKey('HS256')).rejects.toMatchObject({ code: 'HELSEID_KEY_INVALID' });
  });
});
