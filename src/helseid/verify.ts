// Receiver side: verifies a HelseID DPoP-bound access token and its DPoP proof
// (RFC 9449) on every protected request.
import { createHash } from 'node:crypto';

import {
  EmbeddedJWK,
  calculateJwkThumbprint,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import type { JWK, JWTPayload, JWTVerifyGetKey } from 'jose';

import { LmdiError } from '../errors/index.js';
import { ALLOWED_ALGORITHMS, DEFAULT_AUDIENCE, DEFAULT_SCOPE, ORG_NUMBER_CLAIM } from './constants.js';

export interface ReplayCache {
  /** Returns false if the jti was seen before. */
  remember(jti: string, expiresAtEpochSeconds: number): boolean;
}

export interface DpopVerifierOptions {
  issuer: string;
  /** Default fhi:lmr.fhirmottak/api. */
  requiredScope?: string;
  /** Expected token audience; default fhi:lmr.fhirmottak. */
  audience?: string;
  replayCache: ReplayCache;
  /** How old a proof's iat may be; default 300 s. */
  proofMaxAgeSeconds?: number;
  /** Accepted difference between our clock and the issuer's or sender's; default 5 s. */
  clockToleranceSeconds?: number;
  /**
   * Minimum pause between two JWKS downloads caused by unknown kids; default 30 s, so a flood of
   * tokens with made-up kids cannot make us hammer the issuer.
   */
  jwksCooldownSeconds?: number;
  fetch?: typeof fetch;
}

export interface VerifiedCaller {
  clientId: string;
  orgNumber?: string;
  scope: string;
  jkt: string;
}

export interface DpopRequest {
  method: string;
  /** Full external URL of this request. */
  url: string;
  authorization?: string;
  dpop?: string;
}

export type DpopAuthErrorCode =
  | 'DPOP_MISSING_TOKEN'
  | 'DPOP_BEARER_REFUSED'
  /** Malformed, badly signed, or signed by a key the issuer does not publish. */
  | 'DPOP_TOKEN_INVALID'
  | 'DPOP_TOKEN_EXPIRED'
  | 'DPOP_TOKEN_NOT_YET_VALID'
  | 'DPOP_TOKEN_WRONG_ISSUER'
  | 'DPOP_TOKEN_WRONG_AUDIENCE'
  /** The token has no cnf.jkt: it is a Bearer token in disguise. */
  | 'DPOP_TOKEN_NOT_BOUND'
  | 'DPOP_PROOF_MISSING'
  | 'DPOP_PROOF_INVALID'
  | 'DPOP_PROOF_TYP'
  | 'DPOP_PROOF_ALG'
  /** The proof header has no jwk, or one with private key material. */
  | 'DPOP_PROOF_KEY'
  | 'DPOP_PROOF_SIGNATURE'
  | 'DPOP_JKT_MISMATCH'
  | 'DPOP_HTM_MISMATCH'
  | 'DPOP_HTU_MISMATCH'
  | 'DPOP_ATH_MISMATCH'
  | 'DPOP_PROOF_REPLAYED'
  | 'DPOP_PROOF_STALE'
  | 'DPOP_SCOPE_MISSING'
  | 'DPOP_ISSUER_UNAVAILABLE';

type OAuthErrorCode = 'invalid_request' | 'invalid_token' | 'invalid_dpop_proof' | 'insufficient_scope';

const ALGS_PARAM = `algs="${ALLOWED_ALGORITHMS.join(' ')}"`;

export class DpopAuthError extends LmdiError<DpopAuthErrorCode> {
  /** Value for the WWW-Authenticate response header. */
  readonly wwwAuthenticate: string;
  /** Suggested HTTP status: 401, 403 for a missing scope, 503 if the issuer cannot be reached. */
  readonly statusCode: number;

  constructor(code: DpopAuthErrorCode, oauthError: OAuthErrorCode | undefined, description: string) {
    super(code, description);
    this.statusCode = statusFor(code);
    this.wwwAuthenticate = oauthError
      ? `DPoP error="${oauthError}", error_description="${description}", ${ALGS_PARAM}`
      : `DPoP ${ALGS_PARAM}`;
  }
}

/** In-memory replay cache for tests and single-process use. */
export class MemoryReplayCache implements ReplayCache {
  private readonly seen = new Map<string, number>();

  remember(jti: string, expiresAtEpochSeconds: number): boolean {
    this.evictExpired();
    if (this.seen.has(jti)) return false;

    this.seen.set(jti, expiresAtEpochSeconds);
    return true;
  }

  private evictExpired(): void {
    const now = Math.floor(Date.now() / 1000);
    for (const [jti, expiresAt] of this.seen) {
      if (expiresAt < now) this.seen.delete(jti);
    }
  }
}

export function createDpopVerifier(options: DpopVerifierOptions): (request: DpopRequest) => Promise<VerifiedCaller> {
  const settings = {
    issuer: options.issuer,
    requiredScope: options.requiredScope ?? DEFAULT_SCOPE,
    audience: options.audience ?? DEFAULT_AUDIENCE,
    proofMaxAgeSeconds: options.proofMaxAgeSeconds ?? 300,
    clockToleranceSeconds: options.clockToleranceSeconds ?? 5,
  };
  const getJwks = memoizedJwks(options.issuer, options.fetch ?? fetch, (options.jwksCooldownSeconds ?? 30) * 1000);

  return async (request) => {
    const accessToken = extractDpopToken(request.authorization);
    const proof = extractProof(request.dpop);

    const claims = await verifyAccessToken(accessToken, await getJwks(), settings);
    const jkt = requireBinding(claims);
    const scope = requireScope(claims, settings.requiredScope);

    const proofPayload = await verifyProof(proof, jkt);
    checkProofMatchesRequest(proofPayload, request, accessToken, settings);

    // Only remember the jti once everything else is valid, so junk cannot burn jtis.
    const jti = proofPayload.jti as string;
    const iat = proofPayload.iat as number;
    const keepUntil = iat + settings.proofMaxAgeSeconds + settings.clockToleranceSeconds;
    if (!options.replayCache.remember(jti, keepUntil)) {
      throw new DpopAuthError('DPOP_PROOF_REPLAYED', 'invalid_dpop_proof', 'DPoP proof jti already used');
    }

    return toCaller(claims, scope, jkt);
  };
}

/** Discovers the JWKS URI once; jose's remote set caches keys and refetches on an unknown kid. */
function memoizedJwks(issuer: string, fetchImpl: typeof fetch, cooldownMs: number): () => Promise<JWTVerifyGetKey> {
  let pending: Promise<JWTVerifyGetKey> | undefined;

  return () => {
    pending ??= discoverJwks(issuer, fetchImpl, cooldownMs).catch((cause: unknown) => {
      pending = undefined;
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new DpopAuthError('DPOP_ISSUER_UNAVAILABLE', undefined, `cannot load issuer metadata: ${message}`);
    });
    return pending;
  };
}

async function discoverJwks(issuer: string, fetchImpl: typeof fetch, cooldownMs: number): Promise<JWTVerifyGetKey> {
  const response = await fetchImpl(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`discovery answered HTTP ${response.status}`);

  const metadata = (await response.json()) as { issuer?: string; jwks_uri?: string };
  if (metadata.issuer !== issuer) throw new Error(`discovery issuer mismatch: ${metadata.issuer}`);
  if (!metadata.jwks_uri) throw new Error('discovery document has no jwks_uri');

  // jose caches the set and downloads it again when a token names a kid it does not know.
  return createRemoteJWKSet(new URL(metadata.jwks_uri), { cooldownDuration: cooldownMs });
}

function extractDpopToken(authorization: string | undefined): string {
  if (!authorization) {
    throw new DpopAuthError('DPOP_MISSING_TOKEN', undefined, 'no access token');
  }

  const match = /^(\S+)\s+(\S+)$/.exec(authorization.trim());
  const scheme = match?.[1]?.toLowerCase();
  if (scheme === 'bearer') {
    throw new DpopAuthError('DPOP_BEARER_REFUSED', 'invalid_token', 'Bearer tokens are not accepted, use DPoP');
  }
  if (scheme !== 'dpop' || !match?.[2]) {
    throw new DpopAuthError('DPOP_MISSING_TOKEN', 'invalid_request', 'Authorization header must use the DPoP scheme');
  }
  return match[2];
}

function extractProof(dpop: string | undefined): string {
  if (!dpop) {
    throw new DpopAuthError('DPOP_PROOF_MISSING', 'invalid_dpop_proof', 'DPoP proof header missing');
  }
  // Two DPoP headers get joined with a comma; a single JWT never contains one.
  if (dpop.includes(',')) {
    throw new DpopAuthError('DPOP_PROOF_INVALID', 'invalid_dpop_proof', 'exactly one DPoP proof expected');
  }
  return dpop.trim();
}

interface Settings {
  issuer: string;
  audience: string;
  proofMaxAgeSeconds: number;
  clockToleranceSeconds: number;
}

async function verifyAccessToken(token: string, jwks: JWTVerifyGetKey, settings: Settings): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, jwks, {
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: [...ALLOWED_ALGORITHMS],
      clockTolerance: settings.clockToleranceSeconds,
      requiredClaims: ['exp'],
    });
    return payload;
  } catch (cause) {
    throw new DpopAuthError(tokenErrorCode(cause), 'invalid_token', describeJoseError(cause, 'access token'));
  }
}

function tokenErrorCode(cause: unknown): DpopAuthErrorCode {
  if (cause instanceof joseErrors.JWTExpired) return 'DPOP_TOKEN_EXPIRED';
  if (cause instanceof joseErrors.JWTClaimValidationFailed) {
    if (cause.claim === 'nbf' || cause.claim === 'iat') return 'DPOP_TOKEN_NOT_YET_VALID';
    if (cause.claim === 'iss') return 'DPOP_TOKEN_WRONG_ISSUER';
    if (cause.claim === 'aud') return 'DPOP_TOKEN_WRONG_AUDIENCE';
  }
  return 'DPOP_TOKEN_INVALID';
}

function requireBinding(claims: JWTPayload): string {
  const jkt = (claims.cnf as { jkt?: unknown } | undefined)?.jkt;
  if (typeof jkt !== 'string' || !jkt) {
    throw new DpopAuthError('DPOP_TOKEN_NOT_BOUND', 'invalid_token', 'access token is not DPoP-bound (no cnf.jkt)');
  }
  return jkt;
}

/** HelseID may send scope as a space-separated string or as an array. */
function requireScope(claims: JWTPayload, requiredScope: string): string {
  const raw = claims.scope;
  const scopes = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(' ') : [];
  if (!scopes.includes(requiredScope)) {
    throw new DpopAuthError('DPOP_SCOPE_MISSING', 'insufficient_scope', `scope ${requiredScope} required`);
  }
  return scopes.join(' ');
}

async function verifyProof(proof: string, expectedJkt: string): Promise<JWTPayload> {
  const jwk = readProofKey(proof);

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [...ALLOWED_ALGORITHMS] }));
  } catch (cause) {
    const code = cause instanceof joseErrors.JWSSignatureVerificationFailed ? 'DPOP_PROOF_SIGNATURE' : 'DPOP_PROOF_INVALID';
    throw new DpopAuthError(code, 'invalid_dpop_proof', describeJoseError(cause, 'DPoP proof'));
  }

  if (typeof payload.jti !== 'string' || !payload.jti || typeof payload.iat !== 'number') {
    throw new DpopAuthError('DPOP_PROOF_INVALID', 'invalid_dpop_proof', 'DPoP proof needs jti and iat');
  }

  // The token is bound to one key; the proof must be signed by exactly that key.
  if ((await calculateJwkThumbprint(jwk)) !== expectedJkt) {
    throw new DpopAuthError('DPOP_JKT_MISMATCH', 'invalid_dpop_proof', 'DPoP proof key does not match token binding');
  }
  return payload;
}

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** Checks the proof header before any crypto: type, algorithm, and a public-only key. */
function readProofKey(proof: string): JWK {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    throw new DpopAuthError('DPOP_PROOF_INVALID', 'invalid_dpop_proof', 'DPoP proof is not a JWS');
  }

  if (header.typ !== 'dpop+jwt') {
    throw new DpopAuthError('DPOP_PROOF_TYP', 'invalid_dpop_proof', 'DPoP proof typ must be dpop+jwt');
  }
  if (!header.alg || !(ALLOWED_ALGORITHMS as readonly string[]).includes(header.alg)) {
    throw new DpopAuthError('DPOP_PROOF_ALG', 'invalid_dpop_proof', 'DPoP proof alg not allowed');
  }

  const jwk = header.jwk;
  if (!jwk || PRIVATE_JWK_MEMBERS.some((member) => member in jwk)) {
    throw new DpopAuthError('DPOP_PROOF_KEY', 'invalid_dpop_proof', 'DPoP proof needs a public jwk header');
  }
  return jwk;
}

function checkProofMatchesRequest(
  payload: JWTPayload,
  request: DpopRequest,
  accessToken: string,
  settings: Settings,
): void {
  if (payload.htm !== request.method.toUpperCase()) {
    throw new DpopAuthError('DPOP_HTM_MISMATCH', 'invalid_dpop_proof', 'DPoP proof htm does not match the method');
  }

  if (typeof payload.htu !== 'string' || withoutQuery(payload.htu) !== withoutQuery(request.url)) {
    throw new DpopAuthError('DPOP_HTU_MISMATCH', 'invalid_dpop_proof', 'DPoP proof htu does not match the URL');
  }

  const now = Math.floor(Date.now() / 1000);
  const iat = payload.iat as number;
  const tooOld = iat < now - settings.proofMaxAgeSeconds - settings.clockToleranceSeconds;
  const inFuture = iat > now + settings.clockToleranceSeconds;
  if (tooOld || inFuture) {
    throw new DpopAuthError('DPOP_PROOF_STALE', 'invalid_dpop_proof', 'DPoP proof iat outside the accepted window');
  }

  if (payload.ath !== sha256Base64Url(accessToken)) {
    throw new DpopAuthError('DPOP_ATH_MISMATCH', 'invalid_dpop_proof', 'DPoP proof ath does not match the token');
  }
}

function toCaller(claims: JWTPayload, scope: string, jkt: string): VerifiedCaller {
  const clientId = typeof claims.client_id === 'string' ? claims.client_id : claims.sub;
  if (!clientId) {
    throw new DpopAuthError('DPOP_TOKEN_INVALID', 'invalid_token', 'access token names no client');
  }

  const orgNumber = claims[ORG_NUMBER_CLAIM];
  return {
    clientId,
    ...(typeof orgNumber === 'string' ? { orgNumber } : {}),
    scope,
    jkt,
  };
}

/** Normalises a URL for htu comparison: no query, no fragment. */
function withoutQuery(value: string): string | undefined {
  const url = URL.parse(value);
  if (!url) return undefined;

  url.search = '';
  url.hash = '';
  return url.href;
}

function sha256Base64Url(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

function describeJoseError(cause: unknown, what: string): string {
  if (cause instanceof joseErrors.JWTExpired) return `${what} expired`;
  if (cause instanceof joseErrors.JWTClaimValidationFailed) return `${what} claim ${cause.claim} invalid`;
  if (cause instanceof joseErrors.JWSSignatureVerificationFailed) return `${what} signature invalid`;
  if (cause instanceof joseErrors.JWKSNoMatchingKey) return `${what} signed by an unknown key`;
  return `${what} invalid`;
}

function statusFor(code: DpopAuthErrorCode): number {
  if (code === 'DPOP_SCOPE_MISSING') return 403;
  if (code === 'DPOP_ISSUER_UNAVAILABLE') return 503;
  return 401;
}
