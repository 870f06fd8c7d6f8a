// Shared fixtures: keys, the authority stand-in and a tiny DPoP-protected API.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';

import { DpopAuthError, MemoryReplayCache, createDpopVerifier } from '../../src/helseid/index.js';

export interface TestKey {
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function makeClientKey(alg: 'PS256' | 'ES256', kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
  };
}

export async function makeDpopKey(): Promise<CryptoKeyPair> {
  return generateKeyPair('ES256', { extractable: true });
}

/** Signs a DPoP proof with arbitrary claims, for negative tests. */
export async function signProof(key: CryptoKeyPair, claims: Record<string, unknown>): Promise<string> {
  const jwk = await exportJWK(key.publicKey);
  return new SignJWT({ jti: randomUUID(), iat: Math.floor(Date.now() / 1000), ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
    .sign(key.privateKey);
}

/** Records every request the client makes, with the response status. */
export function recordingFetch(): { fetch: typeof fetch; calls: { url: string; status: number; body: string }[] } {
  const calls: { url: string; status: number; body: string }[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const body = await response.clone().text();
    calls.push({ url: String(input), status: response.status, body });
    return response;
  };
  return { fetch: wrapped, calls };
}

export interface TestApi {
  baseUrl: string;
  close(): Promise<void>;
}

/** A small API protected by createDpopVerifier, echoing the verified caller. */
export async function startTestApi(issuer: string): Promise<TestApi> {
  const app: FastifyInstance = Fastify({ logger: false });
  const verify = createDpopVerifier({ issuer, replayCache: new MemoryReplayCache() });
  let baseUrl = '';

  const handler = async (request: { method: string; url: string; headers: Record<string, unknown> }) => {
    return verify({
      method: request.method,
      url: `${baseUrl}${request.url}`,
      authorization: request.headers.authorization as string | undefined,
      dpop: request.headers.dpop as string | undefined,
    });
  };

  app.route({
    method: ['GET', 'POST'],
    url: '/api/*',
    handler: async (request, reply) => {
      // Simulates an API that demands its own DPoP nonce.
      if (request.url.startsWith('/api/nonce') && !hasNonce(request.headers.dpop, 'api-nonce-1')) {
        return reply
          .code(401)
          .header('WWW-Authenticate', 'DPoP error="use_dpop_nonce"')
          .header('DPoP-Nonce', 'api-nonce-1')
          .send({ code: 'NONCE' });
      }

      try {
        const caller = await handler(request);
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

function hasNonce(proof: unknown, nonce: string): boolean {
  if (typeof proof !== 'string') return false;
  return decodeJwt(proof).nonce === nonce;
}
