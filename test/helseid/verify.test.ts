import { createHash } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HelseIdClient, MemoryReplayCache } from '../../src/helseid/index.js';
import { startAuthority } from '../../src/authority/index.js';
import type { RunningAuthority } from '../../src/authority/index.js';
import { makeClientKey, makeDpopKey, signProof, startTestApi } from './helpers.js';
import type { TestApi } from './helpers.js';

const CLIENT_ID = 'lmdi-sender';

let authority: RunningAuthority;
let api: TestApi;
let dpopKey: CryptoKeyPair;
let token: string;

beforeAll(async () => {
  const clientKey = await makeClientKey('ES256', 'ec-1');
  authority = await startAuthority({
    clients: [{ clientId: CLIENT_ID, publicJwks: { keys: [clientKey.publicJwk] }, orgNumber: '974633574' }],
  });
  api = await startTestApi(authority.issuer);

  // A known DPoP key lets the tests sign their own (good and bad) proofs.
  dpopKey = await makeDpopKey();
  const client = new HelseIdClient({ issuer: authority.issuer, clientId: CLIENT_ID, clientKey: clientKey.privateJwk, dpopKey });
  token = await client.getAccessToken();
});

afterAll(async () => {
  await api?.close();
  await authority?.close();
});

const ath = (value: string) => createHash('sha256').update(value).digest('base64url');

async function call(path: string, headers: Record<string, string>, method = 'POST') {
  const response = await fetch(`${api.baseUrl}${path}`, { method, headers });
  const body = (await response.json()) as { code?: string };
  return { status: response.status, code: body.code, wwwAuthenticate: response.headers.get('www-authenticate') };
}

async function goodProof(path: string, overrides: Record<string, unknown> = {}, key = dpopKey) {
  return signProof(key, { htm: 'POST', htu: `${api.baseUrl}${path}`, ath: ath(token), ...overrides });
}

describe('createDpopVerifier', () => {
  it('accepts a valid token and proof, ignoring the query string in htu', async () => {
    const proof = await goodProof('/api/bundle');
    const result = await call('/api/bundle?x=1', { authorization: `DPoP ${token}`, dpop: proof });
    expect(result.status).toBe(200);
  });

  it('refuses a missing token', async () => {
    const result = await call('/api/bundle', { dpop: await goodProof('/api/bundle') });
    expect(result).toMatchObject({ status: 401, code: 'DPOP_MISSING_TOKEN' });
    expect(result.wwwAuthenticate).toMatch(/^DPoP /);
  });

  it('refuses a Bearer token', async () => {
    const result = await call('/api/bundle', { authorization: `Bearer ${token}` });
    expect(result).toMatchObject({ status: 401, code: 'DPOP_BEARER_REFUSED' });
    expect(result.wwwAuthenticate).toContain('error="invalid_token"');
  });

  it('refuses a tampered token', async () => {
    const tampered = `${token.slice(0, -4)}AAAA`;
    const proof = await signProof(dpopKey, { htm: 'POST', htu: `${api.baseUrl}/api/bundle`, ath: ath(tampered) });
    const result = await call('/api/bundle', { authorization: `DPoP ${tampered}`, dpop: proof });
    expect(result).toMatchObject({ status: 401, code: 'DPOP_TOKEN_INVALID' });
  });

  it('refuses a missing proof', async () => {
    const result = await call('/api/bundle', { authorization: `DPoP ${token}` });
    expect(result).toMatchObject({ status: 401, code: 'DPOP_PROOF_MISSING' });
  });

  it('refuses a proof for another URL', async () => {
    const proof = await goodProof('/api/other');
    const result = await call('/api/bundle', { authorization: `DPoP ${token}`, dpop: proof });
    expect(result).toMatchObject({ code: 'DPOP_HTU_MISMATCH' });
    expect(result.wwwAuthenticate).toContain('error="invalid_dpop_proof"');
  });

  it('refuses a proof for another method', async () => {
    const proof = await goodProof('/api/bundle', { htm: 'GET' });
    const result = await call('/api/bundle', { authorization: `DPoP ${token}`, dpop: proof });
    expect(result).toMatchObject({ code: 'DPOP_HTM_MISMATCH' });
  });

  it('refuses a proof with the wrong ath', async () => {
    const proof = await goodProof('/api/bundle', { ath: ath('another token') });
    const result = await call('/api/bundle', { authorization: `DPoP ${token}`, dpop: proof });
    expect(result).toMatchObject({ code: 'DPOP_ATH_MISMATCH' });
  });

  it('refuses a stale proof', async () => {
    const proof = await goodProof('/api/bundle', { iat: Math.floor(Date.now() / 1000) - 3600 });
    const result = await call('/api/bundle', { authorization: `DPoP ${token}`, dpop: proof });
    expect(result).toMatchObject({ code: 'DPOP_PROOF_STALE' });
  });

  it('refuses a replayed proof', async () => {
    const proof = await goodProof('/api/bundle');
    const first = await call('/api/bundle', { authorization: `DPoP ${token}`, dpop: proof });
    const second = await call('/api/bundle', { authorization: `DPoP ${token}`, dpop: proof });
    expect(first.status).toBe(200);
    expect(second).toMatchObject({ status: 401, code: 'DPOP_PROOF_REPLAYED' });
  });

  it('refuses a proof signed by a key other than the bound one', async () => {
    const proof = await goodProof('/api/bundle', {}, await makeDpopKey());
    const result = await call('/api/bundle', { authorization: `DPoP ${token}`, dpop: proof });
    expect(result).toMatchObject({ code: 'DPOP_JKT_MISMATCH' });
  });

  it('refuses a proof that is not a DPoP JWT', async () => {
    const result = await call('/api/bundle', { authorization: `DPoP ${token}`, dpop: token });
    expect(result).toMatchObject({ code: 'DPOP_PROOF_INVALID' });
  });
});

describe('MemoryReplayCache', () => {
  it('remembers a jti until it expires', () => {
    const cache = new MemoryReplayCache();
    const now = Math.floor(Date.now() / 1000);
    expect(cache.remember('a', now + 60)).toBe(true);
    expect(cache.remember('a', now + 60)).toBe(false);
    expect(cache.remember('old', now - 1)).toBe(true);
    expect(cache.remember('b', now + 60)).toBe(true);
    expect(cache.remember('old', now + 60)).toBe(true);
  });
});
