// Local stand-in for HelseID, built on oidc-provider.
// Supports exactly what the LMDI sender needs: client credentials with
// private_key_jwt, DPoP-bound JWT access tokens and server-issued DPoP nonces.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';
import Provider, { errors } from 'oidc-provider';
import type { Adapter, AdapterPayload, Configuration, KoaContextWithOIDC } from 'oidc-provider';

import { ALLOWED_ALGORITHMS, DEFAULT_AUDIENCE, DEFAULT_SCOPE, ORG_NUMBER_CLAIM } from '../helseid/index.js';

/** HelseID refuses client assertions that live longer than this. */
const MAX_ASSERTION_LIFETIME_SECONDS = 60;
const CLOCK_TOLERANCE_SECONDS = 5;

export interface AuthorityClient {
  clientId: string;
  publicJwks: { keys: JWK[] };
  orgNumber: string;
}

export interface AuthorityOptions {
  host?: string;
  port?: number;
  clients: AuthorityClient[];
  scope?: string;
  audience?: string;
  accessTokenTtlSeconds?: number;
}

export interface RunningAuthority {
  issuer: string;
  close(): Promise<void>;
}

/** Reads `{ "clients": [AuthorityClient, ...] }` from a JSON file. */
export async function authorityClientsFromFile(path: string): Promise<AuthorityClient[]> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as { clients?: unknown };
  if (!Array.isArray(parsed.clients)) {
    throw new Error(`${path}: expected an object with a "clients" array`);
  }
  return parsed.clients as AuthorityClient[];
}

export async function startAuthority(options: AuthorityOptions): Promise<RunningAuthority> {
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
  const provider = new Provider(issuer, await buildConfiguration(options));

  // oidc-provider reports unexpected failures as events; keep them out of the console.
  provider.on('server_error', () => undefined);
  handler = provider.callback();

  return {
    issuer,
    close: () => closeServer(server),
  };
}

async function buildConfiguration(options: AuthorityOptions): Promise<Configuration> {
  const scope = options.scope ?? DEFAULT_SCOPE;
  const audience = options.audience ?? DEFAULT_AUDIENCE;
  const ttl = options.accessTokenTtlSeconds ?? 300;
  const orgNumbers = new Map(options.clients.map((c) => [c.clientId, c.orgNumber]));

  return {
    adapter: memoryAdapterFactory(),
    jwks: { keys: [await generateSigningKey()] },
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
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
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
        nonceSecret: randomBytes(32),
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
    assertJwtClientAuthClaimsAndHeader: assertHelseIdAssertion,
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
async function assertHelseIdAssertion(
  _ctx: KoaContextWithOIDC,
  claims: Record<string, unknown>,
  header: Record<string, unknown>,
): Promise<void> {
  if (header.typ !== 'client-authentication+jwt') {
    throw new errors.InvalidClientAuth('client_assertion typ must be client-authentication+jwt');
  }

  const { iat, exp } = claims;
  if (typeof iat !== 'number' || typeof exp !== 'number') {
    throw new errors.InvalidClientAuth('client_assertion must carry numeric iat and exp');
  }

  const now = Math.floor(Date.now() / 1000);
  if (exp - iat > MAX_ASSERTION_LIFETIME_SECONDS || exp - now > MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS) {
    throw new errors.InvalidClientAuth('client_assertion lifetime exceeds 60 seconds');
  }
}

async function generateSigningKey(): Promise<JWK> {
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
