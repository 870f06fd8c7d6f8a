// Shared fixtures: keys, a recording fetch, a tiny DPoP-protected API and a forging issuer.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { SignJWT, calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import type { JWK, JWTPayload } from 'jose';

import { DpopAuthError, MemoryReplayCache, createDpopVerifier } from '../../src/helseid/index.js';
import type { DpopVerifierOptions } from '../../src/helseid/index.js';

export interface TestKey {
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function makeClientKey(alg: string, kid?: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const withKid = kid === undefined ? {} : { kid };
  return {
    privateJwk: { ...(await exportJWK(privateKey)), ...withKid },
    publicJwk: { ...(await exportJWK(publicKey)), ...withKid, use: 'sig' },
  };
}

export async function makeDpopKey(alg = 'ES256'): Promise<CryptoKeyPair> {
  return generateKeyPair(alg, { extractable: true });
}

/** Signs a DPoP proof with arbitrary claims and header members, for negative tests. */
export async function signProof(
  key: CryptoKeyPair,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  const jwk = await exportJWK(key.publicKey);
  return new SignJWT({ jti: randomUUID(), iat: Math.floor(Date.now() / 1000), ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk, ...header })
    .sign(key.privateKey);
}

export interface RecordedCall {
  url: string;
  method: string;
  status: number;
  /** Request headers, lower-case names. */
  headers: Record<string, string>;
  requestBody: string;
  body: string;
  responseHeaders: Headers;
}

/**
 * Records every request the client makes, with the response. `rewrite` may change a response
 * before the client sees it (to play a misbehaving server over real HTTP).
 */
export function recordingFetch(rewrite?: (url: string, response: Response) => Promise<Response> | Response): {
  fetch: typeof fetch;
  calls: RecordedCall[];
} {
  const calls: RecordedCall[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    let response = await fetch(input, init);
    if (rewrite) response = await rewrite(String(input), response);

    const body = await response.clone().text();
    calls.push({
      url: String(input),
      method: init?.method ?? 'GET',
      status: response.status,
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      requestBody: init?.body === undefined || init.body === null ? '' : String(init.body),
      body,
      responseHeaders: response.headers,
    });
    return response;
  };
  return { fetch: wrapped, calls };
}

/** A copy of `response` with other headers and/or body. */
export async function alteredResponse(
  response: Response,
  change: { headers?: Record<string, string>; json?: (body: Record<string, unknown>) => Record<string, unknown> },
): Promise<Response> {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(change.headers ?? {})) headers.set(name, value);

  let body = await response.text();
  if (change.json) {
    body = JSON.stringify(change.json(JSON.parse(body) as Record<string, unknown>));
    headers.delete('content-length');
  }
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

export interface TestApi {
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * A small API protected by createDpopVerifier, echoing the verified caller. `/api/nonce` demands
 * its own DPoP nonce once; `/api/always-nonce` demands a new one every time.
 */
export async function startTestApi(issuer: string, verifierOptions: Partial<DpopVerifierOptions> = {}): Promise<TestApi> {
  const app: FastifyInstance = Fastify({ logger: false });
  const verify = createDpopVerifier({ issuer, replayCache: new MemoryReplayCache(), ...verifierOptions });
  let baseUrl = '';
  let nonceCounter = 0;

  app.route({
    method: ['GET', 'POST'],
    url: '/api/*',
    handler: async (request, reply) => {
      // Simulates an API that demands its own DPoP nonce.
      if (request.url.startsWith('/api/nonce') && !hasNonce(request.headers.dpop, 'api-nonce-1')) {
        return demandNonce(reply, 'api-nonce-1');
      }
      if (request.url.startsWith('/api/always-nonce')) return demandNonce(reply, `api-nonce-${++nonceCounter}-x`);

      try {
        const caller = await verify({
          method: request.method,
          url: `${baseUrl}${request.url}`,
          authorization: request.headers.authorization,
          dpop: request.headers.dpop as string | undefined,
        });
        return reply.send({ caller, body: request.body ?? null });
      } catch (err) {
        if (!(err instanceof DpopAuthError)) throw err;
        return reply.code(err.statusCode).header('WWW-Authenticate', err.wwwAuthenticate).send({ code: err.code });
      }
    },
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { baseUrl, close: () => app.close() };
}

function demandNonce(reply: import('fastify').FastifyReply, nonce: string) {
  return reply
    .code(401)
    .header('WWW-Authenticate', 'DPoP error="use_dpop_nonce", error_description="nonce required"')
    .header('DPoP-Nonce', nonce)
    .send({ code: 'NONCE' });
}

function hasNonce(proof: unknown, nonce: string): boolean {
  if (typeof proof !== 'string') return false;
  return decodeJwt(proof).nonce === nonce;
}

export interface ForgingIssuer {
  issuer: string;
  /** Signs an access token with the issuer's published key; defaults make a valid one for `jkt`. */
  mint(jkt: string | undefined, claims?: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/**
 * An issuer whose tokens the tests write themselves (expired, wrong audience, ...), published
 * over real HTTP with discovery and JWKS like HelseID. Used where the real authority cannot be
 * made to misbehave.
 */
export async function startForgingIssuer(): Promise<ForgingIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), alg: 'RS256', use: 'sig', kid: 'forging-1' };

  const app = Fastify({ logger: false });
  let issuer = '';
  app.get('/.well-known/openid-configuration', async () => ({ issuer, jwks_uri: `${issuer}/jwks` }));
  app.get('/jwks', async () => ({ keys: [publicJwk] }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  issuer = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  return {
    issuer,
    mint: async (jkt, claims = {}, header = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        iss: issuer,
        aud: 'fhi:lmr.fhirmottak',
        client_id: 'forged-client',
        scope: 'fhi:lmr.fhirmottak/api',
        iat: now,
        exp: now + 300,
        ...(jkt ? { cnf: { jkt } } : {}),
        ...claims,
      })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'forging-1', ...header })
        .sign(privateKey);
    },
    close: () => app.close(),
  };
}

export async function thumbprintOf(key: CryptoKeyPair): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(key.publicKey));
}
