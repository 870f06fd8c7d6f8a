import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { decodeJwt, importJWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  HelseIdClient,
  HelseIdError,
  ORG_NUMBER_CLAIM,
} from '../../src/helseid/index.js';
import { authorityClientsFromFile, startAuthority } from '../../src/authority/index.js';
import type { RunningAuthority } from '../../src/authority/index.js';
import { makeClientKey, recordingFetch, startTestApi } from './helpers.js';
import type { TestApi, TestKey } from './helpers.js';

const RSA_CLIENT = 'lmdi-sender-rsa';
const EC_CLIENT = 'lmdi-sender-ec';

let authority: RunningAuthority;
let api: TestApi;
let rsaKey: TestKey;
let ecKey: TestKey;

beforeAll(async () => {
  rsaKey = await makeClientKey('PS256', 'rsa-1');
  ecKey = await makeClientKey('ES256', 'ec-1');
  authority = await startAuthority({
    clients: [
      { clientId: RSA_CLIENT, publicJwks: { keys: [rsaKey.publicJwk] }, orgNumber: '974633574' },
      { clientId: EC_CLIENT, publicJwks: { keys: [ecKey.publicJwk] }, orgNumber: '983658725' },
    ],
  });
  api = await startTestApi(authority.issuer);
});

afterAll(async () => {
  await api?.close();
  await authority?.close();
});

const tokenCalls = <T extends { url: string }>(calls: T[]): T[] => calls.filter((c) => c.url.endsWith('/token'));

describe('HelseIdClient against the local authority', () => {
  it('gets a DPoP-bound token via a nonce round trip and calls the API', async () => {
    const recorder = recordingFetch();
    const client = new HelseIdClient({
      issuer: authority.issuer,
      clientId: RSA_CLIENT,
      clientKey: rsaKey.privateJwk,
      fetch: recorder.fetch,
    });

    const token = await client.getAccessToken();

    // First token request is refused with use_dpop_nonce, the retry succeeds.
    const calls = tokenCalls(recorder.calls);
    expect(calls.map((c) => c.status)).toEqual([400, 200]);
    expect(JSON.parse(calls[0]!.body).error).toBe('use_dpop_nonce');

    const claims = decodeJwt(token);
    expect(claims.client_id).toBe(RSA_CLIENT);
    expect(claims.scope).toBe('fhi:lmr.fhirmottak/api');
    expect(claims.aud).toBe('fhi:lmr.fhirmottak');
    expect(claims.iss).toBe(authority.issuer);
    expect(claims[ORG_NUMBER_CLAIM]).toBe('974633574');
    expect((claims.cnf as { jkt: string }).jkt).toMatch(/^[\w-]{43}$/);

    const response = await client.fetchWithDpop(`${api.baseUrl}/api/bundle?mode=test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceType: 'Bundle' }),
    });
    expect(response.status).toBe(200);
    const result = (await response.json()) as { caller: Record<string, string>; body: unknown };
    expect(result.caller).toEqual({
      clientId: RSA_CLIENT,
      orgNumber: '974633574',
      scope: 'fhi:lmr.fhirmottak/api',
      jkt: (claims.cnf as { jkt: string }).jkt,
    });
    expect(result.body).toEqual({ resourceType: 'Bundle' });
  });

  it('reuses the cached token', async () => {
    const recorder = recordingFetch();
    const client = new HelseIdClient({
      issuer: authority.issuer,
      clientId: EC_CLIENT,
      clientKey: ecKey.privateJwk,
      fetch: recorder.fetch,
    });

    const first = await client.getAccessToken();
    const before = tokenCalls(recorder.calls).length;
    const second = await client.getAccessToken();

    expect(second).toBe(first);
    expect(tokenCalls(recorder.calls).length).toBe(before);
  });

  it('retries an API call once when the API demands a DPoP nonce', async () => {
    const recorder = recordingFetch();
    const client = new HelseIdClient({
      issuer: authority.issuer,
      clientId: EC_CLIENT,
      clientKey: ecKey.privateJwk,
      fetch: recorder.fetch,
    });

    const response = await client.fetchWithDpop(`${api.baseUrl}/api/nonce`, { method: 'GET' });

    expect(response.status).toBe(200);
    const apiCalls = recorder.calls.filter((c) => c.url.includes('/api/nonce'));
    expect(apiCalls.map((c) => c.status)).toEqual([401, 200]);
  });

  it('reports an unregistered key as HELSEID_INVALID_CLIENT', async () => {
    const stranger = await makeClientKey('PS256', 'rsa-1');
    const client = new HelseIdClient({ issuer: authority.issuer, clientId: RSA_CLIENT, clientKey: stranger.privateJwk });

    await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'HELSEID_INVALID_CLIENT' });
  });

  it('reports an unknown scope as HELSEID_INVALID_SCOPE', async () => {
    const client = new HelseIdClient({
      issuer: authority.issuer,
      clientId: RSA_CLIENT,
      clientKey: rsaKey.privateJwk,
      scope: 'fhi:something/else',
    });

    await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'HELSEID_INVALID_SCOPE' });
  });

  it('reports a dead issuer as HELSEID_UNREACHABLE', async () => {
    const client = new HelseIdClient({ issuer: 'http://127.0.0.1:1', clientId: RSA_CLIENT, clientKey: rsaKey.privateJwk });

    const error = await client.getAccessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HelseIdError);
    expect(error).toMatchObject({ code: 'HELSEID_UNREACHABLE' });
  });
});

describe('authority client assertion rules', () => {
  async function tokenRequest(
    modify: (payload: Record<string, unknown>, header: Record<string, unknown>) => void,
  ): Promise<unknown> {
    const issuer = new URL(authority.issuer);
    const insecure = { [oauth.allowInsecureRequests]: true };
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
    const client: oauth.Client = { client_id: RSA_CLIENT };
    const key = (await importJWK(rsaKey.privateJwk, 'PS256')) as CryptoKey;
    const auth = oauth.PrivateKeyJwt({ key, kid: 'rsa-1' }, {
      [oauth.modifyAssertion]: (header, payload) => {
        header.typ = 'client-authentication+jwt';
        modify(payload, header);
      },
    });
    const dpop = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const params = new URLSearchParams({ scope: 'fhi:lmr.fhirmottak/api' });

    // The first attempt only fetches the DPoP nonce.
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await oauth.clientCredentialsGrantRequest(as, client, auth, params, { DPoP: dpop, ...insecure });
        return await oauth.processClientCredentialsResponse(as, client, response);
      } catch (err) {
        if (oauth.isDPoPNonceError(err) && attempt === 1) continue;
        return err;
      }
    }
  }

  it('accepts an unmodified assertion (control for the tests below)', async () => {
    const result = await tokenRequest(() => undefined);
    expect(result).toMatchObject({ token_type: 'dpop' });
  });

  it('refuses an assertion living longer than 60 seconds', async () => {
    const result = await tokenRequest((p) => {
      p.exp = (p.iat as number) + 120;
    });
    expect(result).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses an assertion without the client-authentication+jwt type', async () => {
    const result = await tokenRequest((_p, h) => {
      delete h.typ;
    });
    expect(result).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses a replayed assertion jti', async () => {
    // Both attempts (nonce fetch + retry) reuse the jti, so the retry is a replay.
    const result = await tokenRequest((p) => {
      p.jti = 'fixed-jti-for-replay-test';
    });
    expect(result).toMatchObject({ error: 'invalid_client' });
  });
});

describe('authorityClientsFromFile', () => {
  it('reads the clients array from a JSON file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helseid-'));
    const path = join(dir, 'clients.json');
    const clients = [{ clientId: 'a', publicJwks: { keys: [ecKey.publicJwk] }, orgNumber: '974633574' }];
    await writeFile(path, JSON.stringify({ clients }));

    expect(await authorityClientsFromFile(path)).toEqual(clients);
  });
});
