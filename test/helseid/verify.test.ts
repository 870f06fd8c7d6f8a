import { createHash } from 'node:crypto';

import { SignJWT, base64url, decodeProtectedHeader, exportJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startAuthority } from '../../src/authority/index.js';
import type { RunningAuthority } from '../../src/authority/index.js';
import { LmdiError } from '../../src/errors/index.js';
import { DpopAuthError, HelseIdClient, MemoryReplayCache } from '../../src/helseid/index.js';
import { makeClientKey, makeDpopKey, signProof, startForgingIssuer, startTestApi, thumbprintOf } from './helpers.js';
import type { ForgingIssuer, TestApi, TestKey } from './helpers.js';

const CLIENT_ID = 'lmdi-sender';
const ORG = '974633574';

let authority: RunningAuthority;
let api: TestApi;
let clientKey: TestKey;
let dpopKey: CryptoKeyPair;
let token: string;

beforeAll(async () => {
  clientKey = await makeClientKey('ES256', 'ec-1');
  authority = await startAuthority({ clients: [{ clientId: CLIENT_ID, publicJwks: { keys: [clientKey.publicJwk] }, orgNumber: ORG }] });
  api = await startTestApi(authority.issuer, { jwksCooldownSeconds: 0 });

  // A known DPoP key lets the tests sign their own (good and bad) proofs.
  dpopKey = await makeDpopKey();
  token = await tokenFrom(authority, dpopKey);
});

afterAll(async () => {
  await api?.close();
  await authority?.close();
});

function tokenFrom(from: RunningAuthority, key: CryptoKeyPair, clientId = CLIENT_ID, jwk = clientKey.privateJwk): Promise<string> {
  return new HelseIdClient({ issuer: from.issuer, clientId, clientKey: jwk, dpopKey: key }).getAccessToken();
}

const ath = (value: string) => createHash('sha256').update(value).digest('base64url');
const now = () => Math.floor(Date.now() / 1000);

interface Answer {
  status: number;
  code?: string;
  wwwAuthenticate: string | null;
}

async function call(baseUrl: string, path: string, headers: Record<string, string>, method = 'POST'): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, { method, headers });
  const body = (await response.json()) as { code?: string };
  return { status: response.status, code: body.code, wwwAuthenticate: response.headers.get('www-authenticate') };
}

async function proofFor(baseUrl: string, path: string, accessToken: string, overrides: Record<string, unknown> = {}, key = dpopKey) {
  return signProof(key, { htm: 'POST', htu: `${baseUrl}${path}`, ath: ath(accessToken), ...overrides });
}

/** Sends the shared token with a proof made by `proof` and expects a 401 DPoP refusal with `code`. */
async function expectRefusal(answer: Answer, code: string, oauthError: string, status = 401): Promise<void> {
  expect({ status: answer.status, code: answer.code }).toEqual({ status, code });
  expect(answer.wwwAuthenticate).toMatch(new RegExp(`^DPoP error="${oauthError}"`));
}

const send = async (proof: string, accessToken = token, path = '/api/bundle') =>
  call(api.baseUrl, path, { authorization: `DPoP ${accessToken}`, dpop: proof });

describe('createDpopVerifier: accepted requests', () => {
  it('accepts a valid token and proof, ignoring the query string in htu', async () => {
    const answer = await send(await proofFor(api.baseUrl, '/api/bundle', token), token, '/api/bundle?x=1');
    expect(answer.status).toBe(200);
  });

  it('accepts a proof whose iat is a little ahead, within the clock tolerance', async () => {
    const answer = await send(await proofFor(api.baseUrl, '/api/bundle', token, { iat: now() + 3 }));
    expect(answer.status).toBe(200);
  });

  it('fetches the JWKS again when a token names a new kid (key rotation)', async () => {
    const before = await send(await proofFor(api.baseUrl, '/api/bundle', token));
    expect(before.status).toBe(200);

    const newKid = await authority.rotateSigningKey();
    const rotated = await tokenFrom(authority, dpopKey);
    expect(decodeProtectedHeader(rotated).kid).toBe(newKid);
    expect(decodeProtectedHeader(token).kid).not.toBe(newKid);

    const answer = await send(await proofFor(api.baseUrl, '/api/bundle', rotated), rotated);
    expect(answer.status).toBe(200);
  });
});

describe('createDpopVerifier: the access token', () => {
  it('refuses a request without a token (DPOP_MISSING_TOKEN, a DPoP challenge)', async () => {
    const answer = await call(api.baseUrl, '/api/bundle', { dpop: await proofFor(api.baseUrl, '/api/bundle', token) });
    expect(answer).toMatchObject({ status: 401, code: 'DPOP_MISSING_TOKEN' });
    // RFC 6750 §3.1: no error code when the request carries no credentials at all.
    expect(answer.wwwAuthenticate).toMatch(/^DPoP algs="/);
  });

  it('refuses a Bearer token (DPOP_BEARER_REFUSED)', async () => {
    const answer = await call(api.baseUrl, '/api/bundle', { authorization: `Bearer ${token}` });
    await expectRefusal(answer, 'DPOP_BEARER_REFUSED', 'invalid_token');
  });

  it('refuses another Authorization scheme (DPOP_MISSING_TOKEN)', async () => {
    const answer = await call(api.baseUrl, '/api/bundle', { authorization: 'Basic dXNlcjpwYXNz' });
    await expectRefusal(answer, 'DPOP_MISSING_TOKEN', 'invalid_request');
  });

  it('refuses a tampered token (DPOP_TOKEN_INVALID)', async () => {
    const tampered = `${token.slice(0, -4)}AAAA`;
    await expectRefusal(await send(await proofFor(api.baseUrl, '/api/bundle', tampered), tampered), 'DPOP_TOKEN_INVALID', 'invalid_token');
  });

  it('refuses a token from another authority, signed with a key the issuer does not publish (DPOP_TOKEN_INVALID)', async () => {
    const other = await startAuthority({ clients: [{ clientId: CLIENT_ID, publicJwks: { keys: [clientKey.publicJwk] }, orgNumber: ORG }] });
    try {
      const foreign = await tokenFrom(other, dpopKey);
      await expectRefusal(await send(await proofFor(api.baseUrl, '/api/bundle', foreign), foreign), 'DPOP_TOKEN_INVALID', 'invalid_token');
    } finally {
      await other.close();
    }
  });

  it('refuses a token for another audience (DPOP_TOKEN_WRONG_AUDIENCE)', async () => {
    const other = await startAuthority({ audience: 'fhi:another.api', clients: [{ clientId: CLIENT_ID, publicJwks: { keys: [clientKey.publicJwk] }, orgNumber: ORG }] });
    const otherApi = await startTestApi(other.issuer);
    try {
      const wrongAudience = await tokenFrom(other, dpopKey);
      const answer = await call(otherApi.baseUrl, '/api/bundle', { authorization: `DPoP ${wrongAudience}`, dpop: await proofFor(otherApi.baseUrl, '/api/bundle', wrongAudience) });
      await expectRefusal(answer, 'DPOP_TOKEN_WRONG_AUDIENCE', 'invalid_token');
    } finally {
      await otherApi.close();
      await other.close();
    }
  });

  it('refuses a token without the register scope (DPOP_SCOPE_MISSING, 403 insufficient_scope)', async () => {
    const other = await startAuthority({ scope: 'fhi:another/api', clients: [{ clientId: CLIENT_ID, publicJwks: { keys: [clientKey.publicJwk] }, orgNumber: ORG }] });
    const otherApi = await startTestApi(other.issuer);
    try {
      const client = new HelseIdClient({ issuer: other.issuer, clientId: CLIENT_ID, clientKey: clientKey.privateJwk, dpopKey, scope: 'fhi:another/api' });
      const noScope = await client.getAccessToken();
      const answer = await call(otherApi.baseUrl, '/api/bundle', { authorization: `DPoP ${noScope}`, dpop: await proofFor(otherApi.baseUrl, '/api/bundle', noScope) });
      await expectRefusal(answer, 'DPOP_SCOPE_MISSING', 'insufficient_scope', 403);
    } finally {
      await otherApi.close();
      await other.close();
    }
  });

  it('answers 503 DPOP_ISSUER_UNAVAILABLE when the issuer cannot be reached', async () => {
    const orphan = await startTestApi('http://127.0.0.1:1');
    try {
      const answer = await call(orphan.baseUrl, '/api/bundle', { authorization: `DPoP ${token}`, dpop: await proofFor(orphan.baseUrl, '/api/bundle', token) });
      expect(answer).toMatchObject({ status: 503, code: 'DPOP_ISSUER_UNAVAILABLE' });
    } finally {
      await orphan.close();
    }
  });
});

describe('createDpopVerifier: token claims (tokens written by a forging issuer)', () => {
  let forger: ForgingIssuer;
  let forgedApi: TestApi;
  let jkt: string;

  beforeAll(async () => {
    forger = await startForgingIssuer();
    forgedApi = await startTestApi(forger.issuer);
    jkt = await thumbprintOf(dpopKey);
  });
  afterAll(async () => {
    await forgedApi?.close();
    await forger?.close();
  });

  const sendForged = async (forged: string) =>
    call(forgedApi.baseUrl, '/api/bundle', { authorization: `DPoP ${forged}`, dpop: await proofFor(forgedApi.baseUrl, '/api/bundle', forged) });

  it('accepts a well-formed token (control for the tests below)', async () => {
    expect((await sendForged(await forger.mint(jkt))).status).toBe(200);
  });

  it('refuses an expired token (DPOP_TOKEN_EXPIRED)', async () => {
    await expectRefusal(await sendForged(await forger.mint(jkt, { iat: now() - 600, exp: now() - 60 })), 'DPOP_TOKEN_EXPIRED', 'invalid_token');
  });

  it('refuses a token without exp (DPOP_TOKEN_INVALID)', async () => {
    await expectRefusal(await sendForged(await forger.mint(jkt, { exp: undefined })), 'DPOP_TOKEN_INVALID', 'invalid_token');
  });

  it('refuses a token not valid yet (DPOP_TOKEN_NOT_YET_VALID)', async () => {
    await expectRefusal(await sendForged(await forger.mint(jkt, { nbf: now() + 120 })), 'DPOP_TOKEN_NOT_YET_VALID', 'invalid_token');
  });

  it('refuses a token naming another issuer (DPOP_TOKEN_WRONG_ISSUER)', async () => {
    await expectRefusal(await sendForged(await forger.mint(jkt, { iss: 'https://helseid-sts.nhn.no' })), 'DPOP_TOKEN_WRONG_ISSUER', 'invalid_token');
  });

  it('refuses a token for another audience (DPOP_TOKEN_WRONG_AUDIENCE)', async () => {
    await expectRefusal(await sendForged(await forger.mint(jkt, { aud: 'fhi:something' })), 'DPOP_TOKEN_WRONG_AUDIENCE', 'invalid_token');
  });

  it('refuses a token that is not DPoP-bound (DPOP_TOKEN_NOT_BOUND)', async () => {
    await expectRefusal(await sendForged(await forger.mint(undefined)), 'DPOP_TOKEN_NOT_BOUND', 'invalid_token');
  });

  it('refuses a token signed with a symmetric algorithm (DPOP_TOKEN_INVALID)', async () => {
    const hs = await new SignJWT({ iss: forger.issuer, aud: 'fhi:lmr.fhirmottak', scope: 'fhi:lmr.fhirmottak/api', cnf: { jkt } })
      .setProtectedHeader({ alg: 'HS256', kid: 'forging-1' })
      .setExpirationTime('5m')
      .sign(new Uint8Array(32));
    await expectRefusal(await sendForged(hs), 'DPOP_TOKEN_INVALID', 'invalid_token');
  });
});

describe('createDpopVerifier: the DPoP proof', () => {
  it('refuses a missing proof (DPOP_PROOF_MISSING)', async () => {
    await expectRefusal(await call(api.baseUrl, '/api/bundle', { authorization: `DPoP ${token}` }), 'DPOP_PROOF_MISSING', 'invalid_dpop_proof');
  });

  it('refuses two proofs (DPOP_PROOF_INVALID)', async () => {
    const proof = await proofFor(api.baseUrl, '/api/bundle', token);
    await expectRefusal(await send(`${proof}, ${proof}`), 'DPOP_PROOF_INVALID', 'invalid_dpop_proof');
  });

  it('refuses a proof whose typ is not dpop+jwt (DPOP_PROOF_TYP)', async () => {
    await expectRefusal(await send(token), 'DPOP_PROOF_TYP', 'invalid_dpop_proof');
    const jwtTyped = await signProof(dpopKey, { htm: 'POST', htu: `${api.baseUrl}/api/bundle`, ath: ath(token) }, { typ: 'JWT' });
    await expectRefusal(await send(jwtTyped), 'DPOP_PROOF_TYP', 'invalid_dpop_proof');
  });

  it('refuses a symmetric or unsigned proof (DPOP_PROOF_ALG)', async () => {
    const jwk = await exportJWK(dpopKey.publicKey);
    const claims = { jti: 'x1', iat: now(), htm: 'POST', htu: `${api.baseUrl}/api/bundle`, ath: ath(token) };
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk }).sign(new Uint8Array(32));
    await expectRefusal(await send(hs), 'DPOP_PROOF_ALG', 'invalid_dpop_proof');

    const encode = (value: object) => base64url.encode(JSON.stringify(value));
    const unsigned = `${encode({ alg: 'none', typ: 'dpop+jwt', jwk })}.${encode(claims)}.`;
    await expectRefusal(await send(unsigned), 'DPOP_PROOF_ALG', 'invalid_dpop_proof');
  });

  it('refuses a proof without a jwk or with a private one (DPOP_PROOF_KEY)', async () => {
    const privateJwk = await exportJWK(dpopKey.privateKey);
    const withPrivate = await signProof(dpopKey, { htm: 'POST', htu: `${api.baseUrl}/api/bundle`, ath: ath(token) }, { jwk: privateJwk });
    await expectRefusal(await send(withPrivate), 'DPOP_PROOF_KEY', 'invalid_dpop_proof');

    const withoutJwk = await signProof(dpopKey, { htm: 'POST', htu: `${api.baseUrl}/api/bundle`, ath: ath(token) }, { jwk: undefined });
    await expectRefusal(await send(withoutJwk), 'DPOP_PROOF_KEY', 'invalid_dpop_proof');
  });

  it('refuses a proof whose signature does not verify with its jwk (DPOP_PROOF_SIGNATURE)', async () => {
    const other = await makeDpopKey();
    const lying = await signProof(other, { htm: 'POST', htu: `${api.baseUrl}/api/bundle`, ath: ath(token) }, { jwk: await exportJWK(dpopKey.publicKey) });
    await expectRefusal(await send(lying), 'DPOP_PROOF_SIGNATURE', 'invalid_dpop_proof');
  });

  it('refuses a proof without jti (DPOP_PROOF_INVALID)', async () => {
    await expectRefusal(await send(await proofFor(api.baseUrl, '/api/bundle', token, { jti: undefined })), 'DPOP_PROOF_INVALID', 'invalid_dpop_proof');
  });

  it('refuses a proof signed by a key other than the bound one (DPOP_JKT_MISMATCH)', async () => {
    const proof = await proofFor(api.baseUrl, '/api/bundle', token, {}, await makeDpopKey());
    await expectRefusal(await send(proof), 'DPOP_JKT_MISMATCH', 'invalid_dpop_proof');
  });

  it('refuses a proof for another method (DPOP_HTM_MISMATCH)', async () => {
    await expectRefusal(await send(await proofFor(api.baseUrl, '/api/bundle', token, { htm: 'GET' })), 'DPOP_HTM_MISMATCH', 'invalid_dpop_proof');
  });

  it('refuses a proof for another URL (DPOP_HTU_MISMATCH)', async () => {
    await expectRefusal(await send(await proofFor(api.baseUrl, '/api/other', token)), 'DPOP_HTU_MISMATCH', 'invalid_dpop_proof');
    const otherHost = await proofFor(api.baseUrl.replace('127.0.0.1', 'localhost'), '/api/bundle', token);
    await expectRefusal(await send(otherHost), 'DPOP_HTU_MISMATCH', 'invalid_dpop_proof');
  });

  it('refuses a proof with the wrong or no ath (DPOP_ATH_MISMATCH)', async () => {
    await expectRefusal(await send(await proofFor(api.baseUrl, '/api/bundle', token, { ath: ath('another token') })), 'DPOP_ATH_MISMATCH', 'invalid_dpop_proof');
    await expectRefusal(await send(await proofFor(api.baseUrl, '/api/bundle', token, { ath: undefined })), 'DPOP_ATH_MISMATCH', 'invalid_dpop_proof');
  });

  it('refuses a proof whose iat is too old or too far ahead (DPOP_PROOF_STALE)', async () => {
    await expectRefusal(await send(await proofFor(api.baseUrl, '/api/bundle', token, { iat: now() - 3600 })), 'DPOP_PROOF_STALE', 'invalid_dpop_proof');
    await expectRefusal(await send(await proofFor(api.baseUrl, '/api/bundle', token, { iat: now() + 60 })), 'DPOP_PROOF_STALE', 'invalid_dpop_proof');
  });

  it('refuses a replayed proof (DPOP_PROOF_REPLAYED)', async () => {
    const proof = await proofFor(api.baseUrl, '/api/bundle', token);
    expect((await send(proof)).status).toBe(200);
    await expectRefusal(await send(proof), 'DPOP_PROOF_REPLAYED', 'invalid_dpop_proof');
  });

  it('does not burn the jti of a refused proof', async () => {
    const proof = await proofFor(api.baseUrl, '/api/bundle', token);
    await expectRefusal(await send(proof, token, '/api/elsewhere'), 'DPOP_HTU_MISMATCH', 'invalid_dpop_proof');
    expect((await send(proof)).status).toBe(200);
  });
});

describe('DpopAuthError and MemoryReplayCache', () => {
  it('DpopAuthError is an LmdiError with a stable code', () => {
    const error = new DpopAuthError('DPOP_PROOF_REPLAYED', 'invalid_dpop_proof', 'again');
    expect(error).toBeInstanceOf(LmdiError);
    expect(error).toMatchObject({ code: 'DPOP_PROOF_REPLAYED', statusCode: 401, name: 'DpopAuthError' });
    expect(error.wwwAuthenticate).toMatch(/^DPoP error="invalid_dpop_proof", error_description="again"/);
  });

  it('remembers a jti until it expires', () => {
    const cache = new MemoryReplayCache();
    const t = now();
    expect(cache.remember('a', t + 60)).toBe(true);
    expect(cache.remember('a', t + 60)).toBe(false);
    expect(cache.remember('old', t - 1)).toBe(true);
    expect(cache.remember('b', t + 60)).toBe(true);
    expect(cache.remember('old', t + 60)).toBe(true);
  });
});
