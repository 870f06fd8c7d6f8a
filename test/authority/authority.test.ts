import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, importJWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AuthorityError, startAuthority } from '../../src/authority/index.js';
import type { AuthorityClient, RunningAuthority } from '../../src/authority/index.js';
import { ORG_NUMBER_CLAIM } from '../../src/helseid/index.js';
import { makeClientKey } from '../helseid/helpers.js';
import type { TestKey } from '../helseid/helpers.js';

const CLIENT_ID = 'lmdi-sender';
const ORG = '974633574';
const SCOPE = 'fhi:lmr.fhirmottak/api';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

let authority: RunningAuthority;
let key: TestKey;

beforeAll(async () => {
  key = await makeClientKey('PS256', 'rsa-1');
  authority = await startAuthority({ clients: [{ clientId: CLIENT_ID, publicJwks: { keys: [key.publicJwk] }, orgNumber: ORG }] });
});

afterAll(async () => {
  await authority?.close();
});

interface RawRequest {
  /** Changes the client assertion before it is signed. */
  modify?: (payload: Record<string, unknown>, header: Record<string, unknown>) => void;
  auth?: oauth.ClientAuth;
  /** Send no DPoP proof at all. */
  withoutDpop?: boolean;
  /** Put this nonce into every proof instead of the server's. */
  forcedNonce?: string;
  grantType?: string;
  clientKey?: TestKey;
}

interface RawResult {
  statuses: number[];
  /** The token response, or the OAuth error of the last answer. */
  result: oauth.TokenEndpointResponse | { error: string; error_description?: string };
  firstNonce: string | null;
}

/** A token request made with oauth4webapi directly, so each rule can be broken on purpose. */
async function rawTokenRequest(request: RawRequest = {}): Promise<RawResult> {
  const issuer = new URL(authority.issuer);
  const statuses: number[] = [];
  let firstNonce: string | null = null;
  const recordStatus = {
    [oauth.customFetch]: async (url: string, init: oauth.CustomFetchOptions<string, unknown>) => {
      const response = await fetch(url, init as RequestInit);
      statuses.push(response.status);
      if (statuses.length === 1) firstNonce = response.headers.get('dpop-nonce');
      return response;
    },
  };
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  const client: oauth.Client = { client_id: CLIENT_ID };
  const signing = request.clientKey ?? key;
  const auth = request.auth ?? oauth.PrivateKeyJwt({ key: (await importJWK(signing.privateJwk, 'PS256')) as CryptoKey, kid: 'rsa-1' }, {
    [oauth.modifyAssertion]: (header, payload) => {
      header.typ = 'client-authentication+jwt';
      request.modify?.(payload as Record<string, unknown>, header as Record<string, unknown>);
    },
  });
  const dpop = request.withoutDpop
    ? undefined
    : oauth.DPoP(client, await oauth.generateKeyPair('ES256'), request.forcedNonce ? {
      [oauth.modifyAssertion]: (_header, payload) => {
        payload.nonce = request.forcedNonce;
      },
    } : {});
  const params = new URLSearchParams({ scope: SCOPE });
  const options = { ...insecure, ...recordStatus, ...(dpop ? { DPoP: dpop } : {}) };

  // The first attempt normally only fetches the DPoP nonce.
  for (let attempt = 1; ; attempt++) {
    try {
      const response = request.grantType
        ? await oauth.genericTokenEndpointRequest(as, client, auth, request.grantType, new URLSearchParams({ code: 'x', redirect_uri: 'https://x.example/cb' }), options)
        : await oauth.clientCredentialsGrantRequest(as, client, auth, params, options);
      const result = await oauth.processClientCredentialsResponse(as, client, response);
      return { statuses, result, firstNonce };
    } catch (err) {
      if (oauth.isDPoPNonceError(err) && attempt === 1) continue;
      return { statuses, result: oauthError(err), firstNonce };
    }
  }
}

function oauthError(err: unknown): { error: string; error_description?: string } {
  if (err instanceof oauth.ResponseBodyError) return { error: err.error, error_description: err.error_description };
  if (err instanceof oauth.WWWAuthenticateChallengeError) return { error: err.cause[0]!.parameters.error ?? 'unknown' };
  throw err;
}

describe('authority: DPoP-bound JWT access tokens', () => {
  it('issues after a server nonce round trip a JWT with client_id, scope, cnf.jkt and the org number claim', async () => {
    const { statuses, result, firstNonce } = await rawTokenRequest();

    expect(statuses).toEqual([400, 200]);
    expect(firstNonce).toMatch(/\S{10,}/);
    expect(result).toMatchObject({ token_type: 'dpop', scope: SCOPE });
    const accessToken = (result as oauth.TokenEndpointResponse).access_token;
    expect(decodeProtectedHeader(accessToken)).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    const claims = decodeJwt(accessToken);
    expect(claims).toMatchObject({ client_id: CLIENT_ID, scope: SCOPE, iss: authority.issuer, aud: 'fhi:lmr.fhirmottak', [ORG_NUMBER_CLAIM]: ORG });
    expect((claims.cnf as { jkt: string }).jkt).toMatch(/^[\w-]{43}$/);
    expect((claims.exp as number) - (claims.iat as number)).toBe(300);
  });

  it('requires a DPoP proof', async () => {
    // The same request with a proof succeeds (first test); without one, oidc-provider refuses the
    // grant for a client registered with dpop_bound_access_tokens.
    const { statuses, result } = await rawTokenRequest({ withoutDpop: true });
    expect(statuses).toEqual([400]);
    expect(result).toEqual({ error: 'invalid_grant', error_description: 'grant request is invalid' });
  });

  it('requires its own nonce in the proof: a made-up nonce gets use_dpop_nonce again', async () => {
    const { statuses, result } = await rawTokenRequest({ forcedNonce: 'made-up-nonce' });
    expect(statuses).toEqual([400, 400]);
    expect(result).toMatchObject({ error: 'use_dpop_nonce' });
  });
});

describe('authority: client authentication (private_key_jwt only)', () => {
  it('refuses a client secret (client_secret_post and client_secret_basic)', async () => {
    expect((await rawTokenRequest({ auth: oauth.ClientSecretPost('secret') })).result).toMatchObject({ error: 'invalid_client' });
    expect((await rawTokenRequest({ auth: oauth.ClientSecretBasic('secret') })).result).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses an assertion signed by an unregistered key', async () => {
    const stranger = await makeClientKey('PS256', 'rsa-1');
    expect((await rawTokenRequest({ clientKey: stranger })).result).toMatchObject({ error: 'invalid_client' });
  });

  it('accepts an assertion living exactly 60 seconds', async () => {
    const { result } = await rawTokenRequest({ modify: (p) => { p.exp = (p.iat as number) + 60; } });
    expect(result).toMatchObject({ token_type: 'dpop' });
  });

  it('refuses an assertion living longer than 60 seconds', async () => {
    const { result } = await rawTokenRequest({ modify: (p) => { p.exp = (p.iat as number) + 61; } });
    // oidc-provider hides the reason from the client; the 60-second control above shows it is the lifetime.
    expect(result).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses an assertion reaching more than 60 seconds ahead, even with a later iat', async () => {
    const { result } = await rawTokenRequest({ modify: (p) => {
      p.iat = (p.iat as number) + 30;
      p.nbf = p.iat;
      p.exp = (p.iat as number) + 60;
    } });
    expect(result).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses an assertion without the client-authentication+jwt type', async () => {
    const { result } = await rawTokenRequest({ modify: (_p, h) => { delete h.typ; } });
    expect(result).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses an assertion for another audience', async () => {
    const { result } = await rawTokenRequest({ modify: (p) => { p.aud = 'https://helseid-sts.nhn.no'; } });
    expect(result).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses a replayed assertion jti', async () => {
    // Both attempts (nonce fetch + retry) reuse the jti, so the retry is a replay.
    const { result } = await rawTokenRequest({ modify: (p) => { p.jti = 'fixed-jti-for-replay-test'; } });
    expect(result).toMatchObject({ error: 'invalid_client' });
  });
});

describe('authority: client credentials only', () => {
  it('refuses the authorization code grant even from an authenticated client', async () => {
    const { result } = await rawTokenRequest({ grantType: 'authorization_code' });
    expect(result).toEqual({ error: 'invalid_request', error_description: 'requested grant type is not allowed for this client' });
  });

  it.each(['/auth', '/me', '/request', '/session/end', '/reg'])('serves no %s endpoint', async (path) => {
    const response = await fetch(`${authority.issuer}${path}`);
    expect(response.status).toBe(404);
  });

  it('publishes discovery, JWKS and the token endpoint', async () => {
    const metadata = (await (await fetch(`${authority.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ issuer: authority.issuer, token_endpoint: `${authority.issuer}/token`, token_endpoint_auth_methods_supported: ['private_key_jwt'] });
    const jwks = (await (await fetch(metadata.jwks_uri as string)).json()) as { keys: unknown[] };
    expect(jwks.keys).toHaveLength(1);
  });
});

describe('authority: signing key rotation', () => {
  it('publishes both keys and signs with the new one', async () => {
    const local = await startAuthority({ clients: [{ clientId: CLIENT_ID, publicJwks: { keys: [key.publicJwk] }, orgNumber: ORG }] });
    try {
      const kid = await local.rotateSigningKey();
      const jwks = (await (await fetch(`${local.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
      expect(jwks.keys.map((k) => k.kid)).toHaveLength(2);
      expect(jwks.keys[0]!.kid).toBe(kid);
    } finally {
      await local.close();
    }
  });
});

describe('authority: registered clients are checked at start', () => {
  const base = (): AuthorityClient => ({ clientId: 'c', orgNumber: ORG, publicJwks: { keys: [key.publicJwk] } });

  async function startError(clients: AuthorityClient[]): Promise<AuthorityError> {
    const error = await startAuthority({ clients }).then(async (started) => {
      await started.close();
      return undefined;
    }, (e: unknown) => e);
    expect(error).toBeInstanceOf(AuthorityError);
    return error as AuthorityError;
  }

  it('refuses a private key in the clients list (AUTHORITY_JWK_INVALID)', async () => {
    const error = await startError([{ ...base(), publicJwks: { keys: [key.privateJwk] } }]);
    expect(error.code).toBe('AUTHORITY_JWK_INVALID');
  });

  it('refuses a symmetric key (AUTHORITY_JWK_INVALID)', async () => {
    const error = await startError([{ ...base(), publicJwks: { keys: [{ kty: 'oct' }] } }]);
    expect(error.code).toBe('AUTHORITY_JWK_INVALID');
  });

  it('refuses a bad organisation number, a client without keys, and a duplicate client (AUTHORITY_CONFIG_INVALID)', async () => {
    expect((await startError([{ ...base(), orgNumber: '123456789' }])).code).toBe('AUTHORITY_CONFIG_INVALID');
    expect((await startError([{ ...base(), publicJwks: { keys: [] } }])).code).toBe('AUTHORITY_CONFIG_INVALID');
    expect((await startError([base(), base()])).code).toBe('AUTHORITY_CONFIG_INVALID');
  });

  it('accepts EC and RSA public keys (kid = thumbprint is fine too)', async () => {
    const ec = await makeClientKey('ES384');
    const ecPublic = { ...ec.publicJwk, kid: await calculateJwkThumbprint(ec.publicJwk) };
    const started = await startAuthority({ clients: [{ ...base(), publicJwks: { keys: [key.publicJwk, ecPublic, await exportJWK((await importJWK(ec.publicJwk, 'ES384')) as CryptoKey)] } }] });
    await started.close();
  });
});
