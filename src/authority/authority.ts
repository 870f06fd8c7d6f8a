// Local stand-in for HelseID, built on oidc-provider.
// Supports exactly what the LMDI sender needs: client credentials with
// private_key_jwt, DPoP-bound JWT access tokens and server-issued DPoP nonces.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';
import Provider, { errors } from 'oidc-provider';
import type { Adapter, AdapterPayload, Configuration, KoaContextWithOIDC } from 'oidc-provider';

import { ALLOWED_ALGORITHMS, DEFAULT_AUDIENCE, DEFAULT_SCOPE, ORG_NUMBER_CLAIM } from '../helseid/constants.js';
import { checkClients } from './clients-file.js';
import type { AuthorityClient } from './clients-file.js';

/** HelseID refuses client assertions that live longer than this. */
const MAX_ASSERTION_LIFETIME_SECONDS = 60;

export interface AuthorityOptions {
  host?: string;
  port?: number;
  clients: AuthorityClient[];
  scope?: string;
  audience?: string;
  accessTokenTtlSeconds?: number;
  /** How far a client's clock may be off (assertion and proof timestamps); default 5 s. */
  clockToleranceSeconds?: number;
}

export interface RunningAuthority {
  issuer: string;
  /**
   * Signs new tokens with a fresh key; the old key stays in the JWKS so tokens already issued
   * stay valid. Returns the new kid. For testing receivers' JWKS refresh.
   */
  rotateSigningKey(): Promise<string>;
  close(): Promise<void>;
}

export async function startAuthority(options: AuthorityOptions): Promise<RunningAuthority> {
  checkClients(options.clients, 'authority clients');
  const host = options.host ?? '127.0.0.1';

  // The issuer contains the port, so listen first and build the provider afterwards.
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });

  const { port } = server.address() as AddressInfo;
  const issuer = `http://${host}:${port}`;

  // Survive a key rotation: the same storage, nonce secret and older keys.
  const shared: SharedState = { adapter: memoryAdapterFactory(), nonceSecret: randomBytes(32), signingKeys: [await newSigningKey()] };
  const serve = () => {
    const provider = new Provider(issuer, buildConfiguration(options, shared));
    // oidc-provider reports unexpected failures as events; keep them out of the console.
    provider.on('server_error', () => undefined);
    handler = onlyClientCredentialsEndpoints(provider.callback());
  };
  serve();

  return {
    issuer,
    rotateSigningKey: async () => {
      const key = await newSigningKey();
      shared.signingKeys = [key, ...shared.signingKeys];
      serve();
      return key.kid as string;
    },
    close: () => closeServer(server),
  };
}

/**
 * What a client-credentials-only HelseID needs; the provider's other endpoints answer 404.
 * Known shortcoming: discovery still lists oidc-provider's default grant and response types.
 */
const SERVED_PATHS = new Set(['/.well-known/openid-configuration', '/jwks', '/token']);

function onlyClientCredentialsEndpoints(
  next: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://authority').pathname;
    if (SERVED_PATHS.has(path)) return next(req, res);

    res.statusCode = 404;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ error: 'not_found', error_description: 'this authority serves client credentials only' }));
  };
}

interface SharedState {
  adapter: (name: string) => Adapter;
  nonceSecret: Buffer;
  /** The first key signs; all are published. */
  signingKeys: JWK[];
}

function buildConfiguration(options: AuthorityOptions, shared: SharedState): Configuration {
  const clockTolerance = options.clockToleranceSeconds ?? 5;
  const scope = options.scope ?? DEFAULT_SCOPE;
  const audience = options.audience ?? DEFAULT_AUDIENCE;
  const ttl = options.accessTokenTtlSeconds ?? 300;
  const orgNumbers = new Map(options.clients.map((c) => [c.clientId, c.orgNumber]));

  return {
    adapter: shared.adapter,
    jwks: { keys: shared.signingKeys },
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: c.publicJwks,
      scope,
      dpop_bound_access_tokens: true,
    })),
    clientAuthMethods: ['private_key_jwt'],
    scopes: [scope],
    clockTolerance,
    ttl: { ClientCredentials: ttl },
    enabledJWA: {
      clientAuthSigningAlgValues: ALLOWED_ALGORITHMS,
      dPoPSigningAlgValues: ALLOWED_ALGORITHMS,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: false },
      revocation: { enabled: false },
      dPoP: {
        enabled: true,
        nonceSecret: shared.nonceSecret,
        requireNonce: () => true,
      },
      resourceIndicators: {
        enabled: true,
        // Every token is for the register API, whether or not the client names it.
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx) => {
          refuseUnknownScopes(ctx, scope);
          return {
            scope,
            audience,
            accessTokenFormat: 'jwt',
            accessTokenTTL: ttl,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    extraTokenClaims: (_ctx, token) => {
      const orgNumber = token.clientId ? orgNumbers.get(token.clientId) : undefined;
      return orgNumber ? { [ORG_NUMBER_CLAIM]: orgNumber } : undefined;
    },
    assertJwtClientAuthClaimsAndHeader: (_ctx, claims, header) => assertHelseIdAssertion(claims, header, clockTolerance),
  };
}

/**
 * oidc-provider silently drops unknown scopes; HelseID answers invalid_scope,
 * so the request must ask for the API scope and nothing unknown.
 */
function refuseUnknownScopes(ctx: KoaContextWithOIDC, allowed: string): void {
  const requested = String(ctx.oidc.params?.scope ?? '').split(' ').filter(Boolean);
  if (!requested.includes(allowed) || requested.some((s) => s !== allowed)) {
    throw new errors.InvalidScope('requested scope is not allowed', requested.join(' '));
  }
}

/**
 * HelseID rules on top of oidc-provider's checks (signature, iss, aud, jti replay):
 * the assertion is typed, and lives and reaches at most 60 seconds ahead.
 */
function assertHelseIdAssertion(claims: Record<string, unknown>, header: Record<string, unknown>, clockTolerance: number): void {
  if (header.typ !== 'client-authentication+jwt') {
    throw new errors.InvalidClientAuth('client_assertion typ must be client-authentication+jwt');
  }

  const { iat, exp } = claims;
  if (typeof iat !== 'number' || typeof exp !== 'number') {
    throw new errors.InvalidClientAuth('client_assertion must carry numeric iat and exp');
  }

  const now = Math.floor(Date.now() / 1000);
  if (exp - iat > MAX_ASSERTION_LIFETIME_SECONDS || exp - now > MAX_ASSERTION_LIFETIME_SECONDS + clockTolerance) {
    throw new errors.InvalidClientAuth('client_assertion lifetime exceeds 60 seconds');
  }
}

async function newSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg: 'RS256', use: 'sig', kid: randomBytes(8).toString('hex') };
}

function closeServer(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}

/**
 * Minimal in-memory storage for oidc-provider (tokens, replay detection).
 * Using our own avoids the provider's "development-only adapter" warning.
 */
function memoryAdapterFactory(): (name: string) => Adapter {
  const store: Store = new Map();
  return (name) => new MemoryAdapter(name, store);
}

type Store = Map<string, { payload: AdapterPayload; expiresAt?: number }>;

class MemoryAdapter implements Adapter {
  constructor(
    private readonly name: string,
    private readonly store: Store,
  ) {}

  private key(id: string): string {
    return `${this.name}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : undefined;
    this.store.set(this.key(id), { payload, expiresAt });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const entry = this.store.get(this.key(id));
    if (!entry) return undefined;

    if (entry.expiresAt !== undefined && entry.expiresAt < Date.now()) {
      this.store.delete(this.key(id));
      return undefined;
    }
    return entry.payload;
  }

  async findByUserCode(): Promise<undefined> {
    return undefined;
  }

  async findByUid(): Promise<undefined> {
    return undefined;
  }

  async consume(id: string): Promise<void> {
    const entry = this.store.get(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.store.delete(this.key(id));
  }

  async revokeByGrantId(): Promise<void> {
    // Client credentials tokens have no grants.
  }
}
