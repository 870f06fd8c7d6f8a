// The sender's HelseID client: client credentials with private_key_jwt,
// DPoP-bound access tokens, and DPoP-protected API calls.
import type { JWK } from 'jose';
import * as oauth from 'oauth4webapi';

import { DEFAULT_SCOPE } from './constants.js';
import { HelseIdError } from './helseid-error.js';
import { importKeyPair, signingAlgorithmFor } from './keys.js';

export { HelseIdError } from './helseid-error.js';
export type { HelseIdErrorCode } from './helseid-error.js';

export interface HelseIdClientOptions {
  /** Discovery runs against `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** Private JWK (RSA or EC). Its kid, if present, goes into the assertion header. */
  clientKey: JWK;
  /** Client assertion algorithm; default PS256 for RSA keys, ES256/384/512 by curve for EC keys. */
  algorithm?: string;
  /**
   * DPoP key: a key pair, or a private JWK (pass `clientKey` to use the same key).
   * Default: a fresh ES256 pair for the lifetime of this client.
   */
  dpopKey?: CryptoKeyPair | JWK;
  /** DPoP proof algorithm when `dpopKey` is a JWK; same defaults as `algorithm`. */
  dpopAlgorithm?: string;
  scope?: string;
  /**
   * How many seconds the issuer's clock is ahead of ours (negative: behind). Added to the
   * timestamps of assertions and proofs; the issuer tolerates a few seconds on its own.
   */
  clockSkewSeconds?: number;
  /** Get a new token this many seconds before the cached one expires; default 30. */
  refreshBeforeExpirySeconds?: number;
  fetch?: typeof fetch;
  /** Clock for the token cache, in epoch milliseconds; tests move it. */
  now?: () => number;
}

type CustomFetch = (url: string, init: oauth.CustomFetchOptions<string, unknown>) => Promise<Response>;

interface CachedToken {
  value: string;
  expiresAtMs: number;
  /** As granted; HelseID may answer with fewer scopes than asked for. */
  scope: string;
}

interface Session {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  clientAuth: oauth.ClientAuth;
  dpop: oauth.DPoPHandle;
}

const DEFAULT_REFRESH_BEFORE_EXPIRY_SECONDS = 30;

export class HelseIdClient {
  private readonly options: HelseIdClientOptions;
  private readonly now: () => number;
  private session?: Promise<Session>;
  private token?: CachedToken;
  private pendingToken?: Promise<CachedToken>;

  constructor(options: HelseIdClientOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** Returns a DPoP-bound access token, reusing the cached one until shortly before expiry. */
  async getAccessToken(): Promise<string> {
    const marginMs = (this.options.refreshBeforeExpirySeconds ?? DEFAULT_REFRESH_BEFORE_EXPIRY_SECONDS) * 1000;
    if (this.token && this.token.expiresAtMs - marginMs > this.now()) {
      return this.token.value;
    }

    // Concurrent callers share one token request.
    this.pendingToken ??= this.requestToken().finally(() => {
      this.pendingToken = undefined;
    });
    this.token = await this.pendingToken;
    return this.token.value;
  }

  /** The token response fields, for `lmdi token --json`. */
  async getTokenResponse(): Promise<{ access_token: string; token_type: 'DPoP'; expires_in: number; scope: string }> {
    const accessToken = await this.getAccessToken();
    const expiresIn = Math.max(0, Math.floor(((this.token?.expiresAtMs ?? 0) - this.now()) / 1000));
    return { access_token: accessToken, token_type: 'DPoP', expires_in: expiresIn, scope: this.token?.scope ?? '' };
  }

  /**
   * Calls a DPoP-protected API with a fresh proof (with `ath`). When the API answers 401 with
   * `DPoP error="use_dpop_nonce"` and a `DPoP-Nonce`, repeats once with that nonce.
   */
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
        if (oauth.isDPoPNonceError(err)) {
          if (attempt === 1) continue;
          throw new HelseIdError('HELSEID_NONCE_LOOP', `${target.origin} asked for a new DPoP nonce again after the retry`, { cause: err });
        }

        if (err instanceof oauth.WWWAuthenticateChallengeError) {
          this.forgetTokenIfRejected(err);
          return err.response;
        }
        if (isConnectionFailure(err)) {
          throw new HelseIdError('API_UNREACHABLE', `the API at ${target.origin} is unreachable: ${describeConnectionError(err)}`, { cause: err });
        }
        throw toHelseIdError(err);
      }
    }
  }

  private async requestToken(): Promise<CachedToken> {
    const session = await this.getSession();
    const { as, client, clientAuth, dpop } = session;
    const parameters = new URLSearchParams({ scope: this.options.scope ?? DEFAULT_SCOPE });

    // First attempt normally gets use_dpop_nonce; the handle caches the nonce for the retry.
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await oauth.clientCredentialsGrantRequest(as, client, clientAuth, parameters, {
          DPoP: dpop,
          ...this.requestOptions(new URL(this.options.issuer)),
        });
        const result = await oauth.processClientCredentialsResponse(as, client, response);
        return this.toCachedToken(result);
      } catch (err) {
        if (oauth.isDPoPNonceError(err) && attempt === 1) continue;
        throw toHelseIdError(err, this.options.issuer);
      }
    }
  }

  private getSession(): Promise<Session> {
    this.session ??= this.createSession().catch((err: unknown) => {
      // Allow a later call to retry discovery.
      this.session = undefined;
      throw err;
    });
    return this.session;
  }

  private async createSession(): Promise<Session> {
    const as = await this.discover();

    // With a clock skew, oauth4webapi shifts iat/nbf/exp of assertions and proofs.
    const client: oauth.Client = {
      client_id: this.options.clientId,
      ...(this.options.clockSkewSeconds ? { [oauth.clockSkew]: this.options.clockSkewSeconds } : {}),
    };

    const clientAuth = oauth.PrivateKeyJwt(await this.importClientKey(), {
      // HelseID requires an explicit type on client assertions.
      [oauth.modifyAssertion]: (header) => {
        header.typ = 'client-authentication+jwt';
      },
    });

    return { as, client, clientAuth, dpop: oauth.DPoP(client, await this.dpopKeyPair()) };
  }

  private async discover(): Promise<oauth.AuthorizationServer> {
    const issuerUrl = new URL(this.options.issuer);
    let response: Response;
    try {
      response = await oauth.discoveryRequest(issuerUrl, this.requestOptions(issuerUrl));
    } catch (err) {
      throw toHelseIdError(err, this.options.issuer);
    }

    try {
      const as = await oauth.processDiscoveryResponse(issuerUrl, response);
      if (!as.token_endpoint) throw new Error('the discovery document names no token_endpoint');
      return as;
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new HelseIdError('HELSEID_DISCOVERY_FAILED', `${issuerUrl.href}: no usable discovery document (${message})`, { cause });
    }
  }

  private async importClientKey(): Promise<oauth.PrivateKey> {
    const jwk = this.options.clientKey;
    const alg = signingAlgorithmFor(jwk, this.options.algorithm);
    const { privateKey } = await importKeyPair(jwk, alg);
    return { key: privateKey, ...(jwk.kid ? { kid: jwk.kid } : {}) };
  }

  private async dpopKeyPair(): Promise<CryptoKeyPair> {
    const configured = this.options.dpopKey;
    if (configured === undefined) return oauth.generateKeyPair('ES256');
    if ('privateKey' in configured) return configured;

    return importKeyPair(configured, signingAlgorithmFor(configured, this.options.dpopAlgorithm));
  }

  /** oauth4webapi refuses http:// unless told otherwise; allow it only for the local machine. */
  private requestOptions(url: URL): { [oauth.allowInsecureRequests]: boolean; [oauth.customFetch]?: CustomFetch } {
    const userFetch = this.options.fetch;
    return {
      [oauth.allowInsecureRequests]: url.protocol === 'http:' && isLocalHost(url.hostname),
      ...(userFetch ? { [oauth.customFetch]: (target, init) => userFetch(target, init as RequestInit) } : {}),
    };
  }

  private toCachedToken(result: oauth.TokenEndpointResponse): CachedToken {
    if (result.token_type !== 'dpop') {
      throw new HelseIdError('HELSEID_NOT_DPOP_BOUND', `expected a DPoP-bound token, got token_type=${result.token_type}`);
    }
    const lifetimeSeconds = result.expires_in ?? 60;
    return {
      value: result.access_token,
      expiresAtMs: this.now() + lifetimeSeconds * 1000,
      scope: result.scope ?? this.options.scope ?? DEFAULT_SCOPE,
    };
  }

  private forgetTokenIfRejected(err: oauth.WWWAuthenticateChallengeError): void {
    if (err.cause.some((c) => c.parameters.error === 'invalid_token')) {
      this.token = undefined;
    }
  }
}

// fetch() rejects with a plain TypeError when the connection itself fails;
// oauth4webapi's own TypeErrors carry a code.
function isConnectionFailure(err: unknown): err is TypeError {
  return err instanceof TypeError && (err as { code?: string }).code === undefined;
}

function toHelseIdError(err: unknown, issuer?: string): HelseIdError {
  if (err instanceof HelseIdError) return err;

  const oauthError = oauthErrorOf(err);
  if (oauthError) {
    const detail = `${oauthError.error}${oauthError.description ? `: ${oauthError.description}` : ''}`;
    if (oauthError.error === 'invalid_client') return new HelseIdError('HELSEID_INVALID_CLIENT', detail, { cause: err });
    if (oauthError.error === 'invalid_scope') return new HelseIdError('HELSEID_INVALID_SCOPE', detail, { cause: err });
    if (oauthError.error === 'use_dpop_nonce') {
      return new HelseIdError('HELSEID_NONCE_LOOP', `asked for a new DPoP nonce again after the retry (${detail})`, { cause: err });
    }
    return new HelseIdError('HELSEID_TOKEN_ERROR', detail, { cause: err });
  }

  if (isConnectionFailure(err)) {
    return new HelseIdError('HELSEID_UNREACHABLE', `HelseID${issuer ? ` at ${issuer}` : ''} is unreachable: ${describeConnectionError(err)}`, { cause: err });
  }

  const message = err instanceof Error ? err.message : String(err);
  return new HelseIdError('HELSEID_TOKEN_ERROR', message, { cause: err });
}

/** The OAuth error of a refusal, whether it came in the body or in a WWW-Authenticate challenge. */
function oauthErrorOf(err: unknown): { error: string; description?: string } | undefined {
  if (err instanceof oauth.ResponseBodyError) return { error: err.error, description: err.error_description };
  if (err instanceof oauth.WWWAuthenticateChallengeError) {
    const parameters = err.cause[0]?.parameters;
    if (parameters?.error) return { error: parameters.error, description: parameters.error_description };
  }
  return undefined;
}

function describeConnectionError(err: TypeError): string {
  const cause = err.cause as { code?: string; message?: string } | undefined;
  return cause?.code ? `${err.message} (${cause.code})` : err.message;
}

function isLocalHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}
