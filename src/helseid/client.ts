// The sender's HelseID client: client credentials with private_key_jwt,
// DPoP-bound access tokens, and DPoP-protected API calls.
import { importJWK } from 'jose';
import type { JWK } from 'jose';
import * as oauth from 'oauth4webapi';

import { DEFAULT_SCOPE } from './constants.js';

/** Refresh the cached token this long before it expires. */
const EXPIRY_MARGIN_MS = 30_000;

export type HelseIdErrorCode =
  | 'HELSEID_UNREACHABLE'
  | 'HELSEID_INVALID_CLIENT'
  | 'HELSEID_INVALID_SCOPE'
  | 'HELSEID_NONCE_LOOP'
  | 'HELSEID_NOT_DPOP_BOUND'
  | 'HELSEID_TOKEN_ERROR';

export class HelseIdError extends Error {
  readonly code: HelseIdErrorCode;

  constructor(code: HelseIdErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HelseIdError';
    this.code = code;
  }
}

export interface HelseIdClientOptions {
  issuer: string;
  clientId: string;
  /** Private JWK (RSA or EC). Its kid, if present, goes into the assertion header. */
  clientKey: JWK;
  /** DPoP key pair; a fresh ES256 pair is generated when omitted. */
  dpopKey?: CryptoKeyPair;
  scope?: string;
  /** Client assertion algorithm; default PS256 for RSA keys, ES256/384/512 for EC keys. */
  algorithm?: string;
  fetch?: typeof fetch;
}

type CustomFetch = (url: string, init: oauth.CustomFetchOptions<string, unknown>) => Promise<Response>;

interface CachedToken {
  value: string;
  expiresAtMs: number;
}

interface Session {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  clientAuth: oauth.ClientAuth;
  dpop: oauth.DPoPHandle;
}

export class HelseIdClient {
  private readonly options: HelseIdClientOptions;
  private session?: Promise<Session>;
  private token?: CachedToken;
  private pendingToken?: Promise<CachedToken>;

  constructor(options: HelseIdClientOptions) {
    this.options = options;
  }

  /** Returns a DPoP-bound access token, reusing the cached one until shortly before expiry. */
  async getAccessToken(): Promise<string> {
    if (this.token && this.token.expiresAtMs - EXPIRY_MARGIN_MS > Date.now()) {
      return this.token.value;
    }

    // Concurrent callers share one token request.
    this.pendingToken ??= this.requestToken().finally(() => {
      this.pendingToken = undefined;
    });
    this.token = await this.pendingToken;
    return this.token.value;
  }

  /** Calls a DPoP-protected API; retries once when the API asks for a DPoP nonce. */
  async fetchWithDpop(
    url: string,
    init: { method: string; headers?: Record<string, string>; body?: string },
  ): Promise<Response> {
    const session = await this.getSession();
    const accessToken = await this.getAccessToken();
    const target = new URL(url);

    for (let attempt = 1; ; attempt++) {
      try {
        return await oauth.protectedResourceRequest(
          accessToken,
          init.method,
          target,
          new Headers(init.headers),
          init.body,
          { DPoP: session.dpop, ...this.requestOptions(target) },
        );
      } catch (err) {
        // The DPoP handle has cached the API's nonce by now, so one retry suffices.
        if (oauth.isDPoPNonceError(err) && attempt === 1) continue;

        if (err instanceof oauth.WWWAuthenticateChallengeError) {
          this.forgetTokenIfRejected(err);
          return err.response;
        }
        throw err;
      }
    }
  }

  private async requestToken(): Promise<CachedToken> {
    const session = await this.getSession();
    const { as, client, clientAuth, dpop } = session;
    const parameters = new URLSearchParams({ scope: this.options.scope ?? DEFAULT_SCOPE });

    // First attempt normally gets use_dpop_nonce; the handle caches the nonce for the retry.
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        const response = await oauth.clientCredentialsGrantRequest(as, client, clientAuth, parameters, {
          DPoP: dpop,
          ...this.requestOptions(new URL(this.options.issuer)),
        });
        const result = await oauth.processClientCredentialsResponse(as, client, response);
        return toCachedToken(result);
      } catch (err) {
        if (oauth.isDPoPNonceError(err) && attempt === 1) continue;
        throw toHelseIdError(err);
      }
    }
    throw new HelseIdError('HELSEID_NONCE_LOOP', 'HelseID asked for a new DPoP nonce twice in a row');
  }

  private getSession(): Promise<Session> {
    this.session ??= this.createSession().catch((err: unknown) => {
      // Allow a later call to retry discovery.
      this.session = undefined;
      throw toHelseIdError(err);
    });
    return this.session;
  }

  private async createSession(): Promise<Session> {
    const issuerUrl = new URL(this.options.issuer);
    const response = await oauth.discoveryRequest(issuerUrl, this.requestOptions(issuerUrl));
    const as = await oauth.processDiscoveryResponse(issuerUrl, response);
    const client: oauth.Client = { client_id: this.options.clientId };

    const clientAuth = oauth.PrivateKeyJwt(await this.importClientKey(), {
      // HelseID requires an explicit type on client assertions.
      [oauth.modifyAssertion]: (header) => {
        header.typ = 'client-authentication+jwt';
      },
    });

    const dpopKey = this.options.dpopKey ?? (await oauth.generateKeyPair('ES256'));
    return { as, client, clientAuth, dpop: oauth.DPoP(client, dpopKey) };
  }

  private async importClientKey(): Promise<oauth.PrivateKey> {
    const jwk = this.options.clientKey;
    const alg = this.options.algorithm ?? defaultAlgorithm(jwk);
    const key = await importJWK({ ...jwk, alg }, alg);
    if (key instanceof Uint8Array) {
      throw new HelseIdError('HELSEID_INVALID_CLIENT', 'clientKey must be an asymmetric private JWK');
    }
    return { key, kid: jwk.kid };
  }

  /** oauth4webapi refuses http:// unless told otherwise; allow it only for the local machine. */
  private requestOptions(url: URL): { [oauth.allowInsecureRequests]: boolean; [oauth.customFetch]?: CustomFetch } {
    const userFetch = this.options.fetch;
    return {
      [oauth.allowInsecureRequests]: url.protocol === 'http:' && isLocalHost(url.hostname),
      ...(userFetch ? { [oauth.customFetch]: (target, init) => userFetch(target, init as RequestInit) } : {}),
    };
  }

  private forgetTokenIfRejected(err: oauth.WWWAuthenticateChallengeError): void {
    if (err.cause.some((c) => c.parameters.error === 'invalid_token')) {
      this.token = undefined;
    }
  }
}

function toCachedToken(result: oauth.TokenEndpointResponse): CachedToken {
  if (result.token_type !== 'dpop') {
    throw new HelseIdError('HELSEID_NOT_DPOP_BOUND', `expected a DPoP-bound token, got token_type=${result.token_type}`);
  }
  const lifetimeSeconds = result.expires_in ?? 60;
  return { value: result.access_token, expiresAtMs: Date.now() + lifetimeSeconds * 1000 };
}

function toHelseIdError(err: unknown): HelseIdError {
  if (err instanceof HelseIdError) return err;

  if (err instanceof oauth.ResponseBodyError) {
    const detail = `${err.error}${err.error_description ? `: ${err.error_description}` : ''}`;
    if (err.error === 'invalid_client') return new HelseIdError('HELSEID_INVALID_CLIENT', detail, { cause: err });
    if (err.error === 'invalid_scope') return new HelseIdError('HELSEID_INVALID_SCOPE', detail, { cause: err });
    if (err.error === 'use_dpop_nonce') return new HelseIdError('HELSEID_NONCE_LOOP', detail, { cause: err });
    return new HelseIdError('HELSEID_TOKEN_ERROR', detail, { cause: err });
  }

  // fetch() rejects with a plain TypeError when the connection itself fails;
  // oauth4webapi's own TypeErrors carry a code.
  if (err instanceof TypeError && (err as { code?: string }).code === undefined) {
    return new HelseIdError('HELSEID_UNREACHABLE', `HelseID unreachable: ${err.message}`, { cause: err });
  }

  const message = err instanceof Error ? err.message : String(err);
  return new HelseIdError('HELSEID_TOKEN_ERROR', message, { cause: err });
}

function defaultAlgorithm(jwk: JWK): string {
  if (jwk.kty === 'RSA') return 'PS256';
  if (jwk.kty === 'EC') {
    if (jwk.crv === 'P-384') return 'ES384';
    if (jwk.crv === 'P-521') return 'ES512';
    return 'ES256';
  }
  throw new HelseIdError('HELSEID_INVALID_CLIENT', `unsupported client key type: ${jwk.kty}`);
}

function isLocalHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}
