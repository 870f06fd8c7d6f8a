import { createHash } from 'node:crypto';

import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader } from 'jose';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startAuthority } from '../../src/authority/index.js';
import type { RunningAuthority } from '../../src/authority/index.js';
import { LmdiError } from '../../src/errors/index.js';
import { ALLOWED_ALGORITHMS, HelseIdClient, HelseIdError, ORG_NUMBER_CLAIM } from '../../src/helseid/index.js';
import type { HelseIdClientOptions } from '../../src/helseid/index.js';
import { alteredResponse, makeClientKey, recordingFetch, startTestApi } from './helpers.js';
import type { RecordedCall, TestApi, TestKey } from './helpers.js';

const RSA_CLIENT = 'lmdi-sender-rsa';
const EC_CLIENT = 'lmdi-sender-ec';
const ORG = '974633574';

let authority: RunningAuthority;
let api: TestApi;
let rsaKey: TestKey;
let ecKey: TestKey;
/** One client per allowed algorithm, each with a key of the fitting type. */
const algorithmKeys = new Map<string, TestKey>();

beforeAll(async () => {
  rsaKey = await makeClientKey('PS256', 'rsa-1');
  ecKey = await makeClientKey('ES256', 'ec-1');
  for (const alg of ALLOWED_ALGORITHMS) algorithmKeys.set(alg, await makeClientKey(alg, `key-${alg}`));

  authority = await startAuthority({
    clients: [
      { clientId: RSA_CLIENT, publicJwks: { keys: [rsaKey.publicJwk] }, orgNumber: ORG },
      { clientId: EC_CLIENT, publicJwks: { keys: [ecKey.publicJwk] }, orgNumber: '983658725' },
      ...[...algorithmKeys].map(([alg, key]) => ({ clientId: `client-${alg}`, publicJwks: { keys: [key.publicJwk] }, orgNumber: ORG })),
    ],
  });
  api = await startTestApi(authority.issuer);
});

afterAll(async () => {
  await api?.close();
  await authority?.close();
});

const tokenCalls = (calls: RecordedCall[]) => calls.filter((c) => c.url.endsWith('/token'));
const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

function rsaClient(extra: Partial<HelseIdClientOptions> = {}): HelseIdClient {
  return new HelseIdClient({ issuer: authority.issuer, clientId: RSA_CLIENT, clientKey: rsaKey.privateJwk, ...extra });
}

async function errorOf(promise: Promise<unknown>): Promise<HelseIdError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(HelseIdError);
  expect(error).toBeInstanceOf(LmdiError);
  return error as HelseIdError;
}

describe('HelseIdClient: token request', () => {
  it('discovers the endpoints, does the use_dpop_nonce round trip and gets a DPoP-bound JWT', async () => {
    const recorder = recordingFetch();
    const token = await rsaClient({ fetch: recorder.fetch }).getAccessToken();

    expect(recorder.calls[0]!.url).toBe(`${authority.issuer}/.well-known/openid-configuration`);
    const calls = tokenCalls(recorder.calls);
    expect(calls.map((c) => c.status)).toEqual([400, 200]);
    expect(JSON.parse(calls[0]!.body).error).toBe('use_dpop_nonce');

    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ client_id: RSA_CLIENT, scope: 'fhi:lmr.fhirmottak/api', aud: 'fhi:lmr.fhirmottak', iss: authority.issuer });
    expect(claims[ORG_NUMBER_CLAIM]).toBe(ORG);
    expect((claims.cnf as { jkt: string }).jkt).toMatch(/^[\w-]{43}$/);
  });

  it('signs the client assertion as HelseID requires: iss=sub=client, aud=issuer, fresh jti, iat/nbf, exp ≤ 60 s, kid', async () => {
    const recorder = recordingFetch();
    await rsaClient({ fetch: recorder.fetch }).getAccessToken();

    const forms = tokenCalls(recorder.calls).map((c) => new URLSearchParams(c.requestBody));
    for (const form of forms) {
      expect(form.get('grant_type')).toBe('client_credentials');
      expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    }
    const assertions = forms.map((f) => f.get('client_assertion') as string);
    const header = decodeProtectedHeader(assertions[0]!);
    expect(header).toMatchObject({ alg: 'PS256', typ: 'client-authentication+jwt', kid: 'rsa-1' });

    const payload = decodeJwt(assertions[0]!);
    expect(payload).toMatchObject({ iss: RSA_CLIENT, sub: RSA_CLIENT, aud: authority.issuer });
    expect(payload.nbf).toBe(payload.iat);
    expect((payload.exp as number) - (payload.iat as number)).toBeLessThanOrEqual(60);
    expect(decodeJwt(assertions[1]!).jti).not.toBe(payload.jti);
  });

  it('omits kid from the assertion when the key has none', async () => {
    const key = await makeClientKey('ES256');
    const local = await startAuthority({ clients: [{ clientId: 'no-kid', publicJwks: { keys: [key.publicJwk] }, orgNumber: ORG }] });
    try {
      const recorder = recordingFetch();
      await new HelseIdClient({ issuer: local.issuer, clientId: 'no-kid', clientKey: key.privateJwk, fetch: recorder.fetch }).getAccessToken();
      const assertion = new URLSearchParams(tokenCalls(recorder.calls)[0]!.requestBody).get('client_assertion') as string;
      expect(decodeProtectedHeader(assertion).kid).toBeUndefined();
    } finally {
      await local.close();
    }
  });

  it('sends a DPoP proof with every token request: typ, public jwk, htm, htu, iat, fresh jti, the server nonce on the retry', async () => {
    const recorder = recordingFetch();
    await rsaClient({ fetch: recorder.fetch }).getAccessToken();

    const [first, second] = tokenCalls(recorder.calls);
    const proofs = [first!.headers.dpop!, second!.headers.dpop!];
    for (const proof of proofs) {
      const header = decodeProtectedHeader(proof);
      expect(header.typ).toBe('dpop+jwt');
      expect(header.jwk).toBeDefined();
      expect(Object.keys(header.jwk as JWK).sort()).toEqual(['crv', 'kty', 'x', 'y']);
      const payload = decodeJwt(proof);
      expect(payload).toMatchObject({ htm: 'POST', htu: `${authority.issuer}/token` });
      expect(typeof payload.iat).toBe('number');
      expect(payload.ath).toBeUndefined();
    }
    expect(decodeJwt(proofs[0]).nonce).toBeUndefined();
    const serverNonce = tokenCallsNonce(recorder.calls);
    expect(decodeJwt(proofs[1]).nonce).toBe(serverNonce);
    expect(decodeJwt(proofs[1]).jti).not.toBe(decodeJwt(proofs[0]).jti);
  });

  it.each(ALLOWED_ALGORITHMS)('signs the assertion with %s when configured', async (alg) => {
    const key = algorithmKeys.get(alg)!;
    const recorder = recordingFetch();
    const client = new HelseIdClient({ issuer: authority.issuer, clientId: `client-${alg}`, clientKey: key.privateJwk, algorithm: alg, fetch: recorder.fetch });

    const token = await client.getAccessToken();

    expect(decodeJwt(token).client_id).toBe(`client-${alg}`);
    const assertion = new URLSearchParams(tokenCalls(recorder.calls)[1]!.requestBody).get('client_assertion') as string;
    expect(decodeProtectedHeader(assertion).alg).toBe(alg);
  });

  it('refuses an algorithm that does not fit the key with HELSEID_KEY_INVALID', async () => {
    const error = await errorOf(rsaClient({ algorithm: 'ES256' }).getAccessToken());
    expect(error.code).toBe('HELSEID_KEY_INVALID');
    const notAllowed = await errorOf(rsaClient({ algorithm: 'HS256' }).getAccessToken());
    expect(notAllowed.code).toBe('HELSEID_KEY_INVALID');
  });

  it('can use the client key as the DPoP key: the token is bound to its thumbprint', async () => {
    const recorder = recordingFetch();
    const token = await rsaClient({ dpopKey: rsaKey.privateJwk, dpopAlgorithm: 'PS384', fetch: recorder.fetch }).getAccessToken();

    expect((decodeJwt(token).cnf as { jkt: string }).jkt).toBe(await calculateJwkThumbprint(rsaKey.publicJwk));
    expect(decodeProtectedHeader(tokenCalls(recorder.calls)[1]!.headers.dpop!).alg).toBe('PS384');
  });

  it('can use a separate DPoP key given as a JWK', async () => {
    const dpop = await makeClientKey('ES384');
    const token = await rsaClient({ dpopKey: dpop.privateJwk }).getAccessToken();
    expect((decodeJwt(token).cnf as { jkt: string }).jkt).toBe(await calculateJwkThumbprint(dpop.publicJwk));
  });
});

describe('HelseIdClient: token cache', () => {
  it('reuses the cached token', async () => {
    const recorder = recordingFetch();
    const client = new HelseIdClient({ issuer: authority.issuer, clientId: EC_CLIENT, clientKey: ecKey.privateJwk, fetch: recorder.fetch });

    const first = await client.getAccessToken();
    const second = await client.getAccessToken();

    expect(second).toBe(first);
    expect(tokenCalls(recorder.calls).filter((c) => c.status === 200)).toHaveLength(1);
  });

  it('gets a new token once the cached one is within the refresh margin of its expiry', async () => {
    const recorder = recordingFetch();
    let now = Date.now();
    const client = rsaClient({ fetch: recorder.fetch, now: () => now, refreshBeforeExpirySeconds: 30 });

    const first = await client.getAccessToken();
    // The authority's tokens live 300 s: at +269 s the token is still reused, at +271 s it is not.
    now += 269_000;
    expect(await client.getAccessToken()).toBe(first);
    now += 2_000;
    const refreshed = await client.getAccessToken();

    expect(refreshed).not.toBe(first);
    expect(tokenCalls(recorder.calls).filter((c) => c.status === 200)).toHaveLength(2);
  });

  it('shares one token request between concurrent callers', async () => {
    const recorder = recordingFetch();
    const client = rsaClient({ fetch: recorder.fetch });
    const tokens = await Promise.all([client.getAccessToken(), client.getAccessToken(), client.getAccessToken()]);
    expect(new Set(tokens).size).toBe(1);
    expect(tokenCalls(recorder.calls).filter((c) => c.status === 200)).toHaveLength(1);
  });
});

describe('HelseIdClient: clock skew', () => {
  it('is tolerated within the authority tolerance (clock 4 s off, tolerance 5 s)', async () => {
    const token = await rsaClient({ clockSkewSeconds: 4 }).getAccessToken();
    expect(decodeJwt(token).client_id).toBe(RSA_CLIENT);
  });

  it('applies the configured skew to assertion and proof timestamps', async () => {
    const recorder = recordingFetch();
    const before = Math.floor(Date.now() / 1000);
    await rsaClient({ clockSkewSeconds: 4, fetch: recorder.fetch }).getAccessToken();
    const call = tokenCalls(recorder.calls)[1]!;
    const assertion = decodeJwt(new URLSearchParams(call.requestBody).get('client_assertion') as string);
    expect(assertion.iat).toBeGreaterThanOrEqual(before + 4);
    expect(decodeJwt(call.headers.dpop!).iat).toBeGreaterThanOrEqual(before + 4);
  });

  it('is refused beyond the tolerance (30 s) and accepted by an authority configured for it', async () => {
    const error = await errorOf(rsaClient({ clockSkewSeconds: 30 }).getAccessToken());
    expect(error.code).toBe('HELSEID_INVALID_CLIENT');

    const lenient = await startAuthority({
      clockToleranceSeconds: 60,
      clients: [{ clientId: RSA_CLIENT, publicJwks: { keys: [rsaKey.publicJwk] }, orgNumber: ORG }],
    });
    try {
      const client = new HelseIdClient({ issuer: lenient.issuer, clientId: RSA_CLIENT, clientKey: rsaKey.privateJwk, clockSkewSeconds: 30 });
      expect(decodeJwt(await client.getAccessToken()).client_id).toBe(RSA_CLIENT);
    } finally {
      await lenient.close();
    }
  });
});

describe('HelseIdClient: API calls', () => {
  it('sends Authorization: DPoP and a proof with htm, htu without query, ath and a fresh jti', async () => {
    const recorder = recordingFetch();
    const client = rsaClient({ fetch: recorder.fetch });

    const response = await client.fetchWithDpop(`${api.baseUrl}/api/bundle?mode=test#frag`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceType: 'Bundle' }),
    });
    const again = await client.fetchWithDpop(`${api.baseUrl}/api/bundle`, { method: 'GET' });

    expect(response.status).toBe(200);
    expect(again.status).toBe(200);
    const token = await client.getAccessToken();
    const apiCalls = recorder.calls.filter((c) => c.url.includes('/api/bundle'));
    expect(apiCalls[0]!.headers.authorization).toBe(`DPoP ${token}`);
    const proof = decodeJwt(apiCalls[0]!.headers.dpop!);
    expect(proof).toMatchObject({ htm: 'POST', htu: `${api.baseUrl}/api/bundle`, ath: sha256(token) });
    expect(decodeJwt(apiCalls[1]!.headers.dpop!).jti).not.toBe(proof.jti);

    const result = (await response.json()) as { caller: Record<string, string>; body: unknown };
    expect(result.caller).toEqual({ clientId: RSA_CLIENT, orgNumber: ORG, scope: 'fhi:lmr.fhirmottak/api', jkt: (decodeJwt(token).cnf as { jkt: string }).jkt });
    expect(result.body).toEqual({ resourceType: 'Bundle' });
  });

  it('retries an API call once with the nonce when the API answers 401 use_dpop_nonce', async () => {
    const recorder = recordingFetch();
    const client = new HelseIdClient({ issuer: authority.issuer, clientId: EC_CLIENT, clientKey: ecKey.privateJwk, fetch: recorder.fetch });

    const response = await client.fetchWithDpop(`${api.baseUrl}/api/nonce`, { method: 'GET' });

    expect(response.status).toBe(200);
    const apiCalls = recorder.calls.filter((c) => c.url.includes('/api/nonce'));
    expect(apiCalls.map((c) => c.status)).toEqual([401, 200]);
    expect(decodeJwt(apiCalls[0]!.headers.dpop!).nonce).toBeUndefined();
    expect(decodeJwt(apiCalls[1]!.headers.dpop!).nonce).toBe('api-nonce-1');
  });

  it('gives up with HELSEID_NONCE_LOOP when the API asks for a new nonce again', async () => {
    const recorder = recordingFetch();
    const error = await errorOf(rsaClient({ fetch: recorder.fetch }).fetchWithDpop(`${api.baseUrl}/api/always-nonce`, { method: 'GET' }));

    expect(error.code).toBe('HELSEID_NONCE_LOOP');
    expect(recorder.calls.filter((c) => c.url.includes('/api/always-nonce'))).toHaveLength(2);
  });

  it('hands back other API refusals as the response', async () => {
    const response = await rsaClient().fetchWithDpop(`http://127.0.0.1:${new URL(api.baseUrl).port}/api/bundle`, { method: 'DELETE' });
    expect(response.status).toBe(404);
  });
});

describe('HelseIdClient: errors name the cause', () => {
  it('HELSEID_INVALID_CLIENT for a key HelseID does not know', async () => {
    const stranger = await makeClientKey('PS256', 'rsa-1');
    const error = await errorOf(rsaClient({ clientKey: stranger.privateJwk }).getAccessToken());
    expect(error.code).toBe('HELSEID_INVALID_CLIENT');
  });

  it('HELSEID_INVALID_CLIENT for an unknown client id', async () => {
    const error = await errorOf(rsaClient({ clientId: 'nobody' }).getAccessToken());
    expect(error.code).toBe('HELSEID_INVALID_CLIENT');
  });

  it('HELSEID_INVALID_SCOPE for a scope HelseID does not grant', async () => {
    const error = await errorOf(rsaClient({ scope: 'fhi:something/else' }).getAccessToken());
    expect(error.code).toBe('HELSEID_INVALID_SCOPE');
  });

  it('HELSEID_UNREACHABLE when nothing listens at the issuer', async () => {
    const error = await errorOf(rsaClient({ issuer: 'http://127.0.0.1:1' }).getAccessToken());
    expect(error.code).toBe('HELSEID_UNREACHABLE');
  });

  it('HELSEID_DISCOVERY_FAILED when the issuer has no discovery document', async () => {
    const error = await errorOf(rsaClient({ issuer: api.baseUrl }).getAccessToken());
    expect(error.code).toBe('HELSEID_DISCOVERY_FAILED');
  });

  it('HELSEID_NONCE_LOOP when the token endpoint keeps asking for a new nonce', async () => {
    // Every nonce the client sees is replaced by one the authority never issued, so it asks again.
    let counter = 0;
    const recorder = recordingFetch((url, response) =>
      url.endsWith('/token') && response.headers.has('dpop-nonce')
        ? alteredResponse(response, { headers: { 'dpop-nonce': `not-from-the-authority-${++counter}` } })
        : response,
    );
    const error = await errorOf(rsaClient({ fetch: recorder.fetch }).getAccessToken());

    expect(error.code).toBe('HELSEID_NONCE_LOOP');
    expect(tokenCalls(recorder.calls).map((c) => JSON.parse(c.body).error)).toEqual(['use_dpop_nonce', 'use_dpop_nonce']);
  });

  it('HELSEID_NOT_DPOP_BOUND when the token comes back as a Bearer token', async () => {
    const recorder = recordingFetch((url, response) =>
      url.endsWith('/token') && response.status === 200
        ? alteredResponse(response, { json: (body) => ({ ...body, token_type: 'Bearer' }) })
        : response,
    );
    const error = await errorOf(rsaClient({ fetch: recorder.fetch }).getAccessToken());
    expect(error.code).toBe('HELSEID_NOT_DPOP_BOUND');
  });
});

function tokenCallsNonce(calls: RecordedCall[]): string {
  const refusal = tokenCalls(calls)[0]!;
  expect(refusal.status).toBe(400);
  const nonce = refusal.responseHeaders.get('dpop-nonce');
  expect(nonce).toMatch(/\S{10,}/);
  return nonce as string;
}
