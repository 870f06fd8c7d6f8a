// The authority's clients file: `{ "clients": [{ clientId, orgNumber, publicJwks: { keys } }] }`.
import { readFile } from 'node:fs/promises';

import { calculateJwkThumbprint } from 'jose';
import type { JWK } from 'jose';

import { isValidOrgNumber } from '../fhir/norwegian-ids.js';
import { ALLOWED_ALGORITHMS } from '../helseid/constants.js';
import { hasPrivateMembers } from '../helseid/keys.js';
import { writeFileAtomic } from '../io/index.js';
import { AuthorityError } from './authority-error.js';

export interface AuthorityClient {
  clientId: string;
  publicJwks: { keys: JWK[] };
  orgNumber: string;
}

/** Reads and checks the clients file. */
export async function authorityClientsFromFile(path: string): Promise<AuthorityClient[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new AuthorityError('AUTHORITY_CONFIG_INVALID', `${path}: cannot read the file (${(cause as Error).message})`, { cause });
  }
  return parseClientsFile(text, path);
}

export function parseClientsFile(text: string, source: string): AuthorityClient[] {
  let parsed: { clients?: unknown };
  try {
    parsed = JSON.parse(text) as { clients?: unknown };
  } catch (cause) {
    throw new AuthorityError('AUTHORITY_CONFIG_INVALID', `${source}: not valid JSON`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(parsed.clients)) {
    throw new AuthorityError('AUTHORITY_CONFIG_INVALID', `${source}: expected an object with a "clients" array`);
  }

  const clients = parsed.clients as AuthorityClient[];
  checkClients(clients, source);
  return clients;
}

/** Throws AuthorityError on the first client that the authority could not serve. */
export function checkClients(clients: AuthorityClient[], source: string): void {
  const seen = new Set<string>();
  clients.forEach((client, index) => {
    const where = `${source}: clients[${index}]`;
    if (typeof client !== 'object' || client === null) throw invalid(`${where} is not an object`);
    if (typeof client.clientId !== 'string' || client.clientId.trim() === '') throw invalid(`${where}.clientId must be a non-empty string`);
    if (seen.has(client.clientId)) throw invalid(`${where}: client ${client.clientId} is listed twice`);
    seen.add(client.clientId);

    if (typeof client.orgNumber !== 'string' || !isValidOrgNumber(client.orgNumber)) {
      throw invalid(`${where}.orgNumber must be a valid 9-digit organisation number`);
    }
    const keys = client.publicJwks?.keys;
    if (!Array.isArray(keys) || keys.length === 0) throw invalid(`${where}.publicJwks.keys must list at least one public JWK`);
    keys.forEach((key, keyIndex) => checkPublicJwk(key, `${where}.publicJwks.keys[${keyIndex}]`));
  });
}

/** A registered client key: public only (a private key here would be a leak), RSA or EC, allowed alg. */
export function checkPublicJwk(jwk: unknown, where: string): asserts jwk is JWK {
  if (typeof jwk !== 'object' || jwk === null) throw badKey(`${where} is not a JWK object`);
  const key = jwk as JWK;
  if (hasPrivateMembers(key)) throw badKey(`${where} holds private key material; register the public key only`);
  if (key.kty === 'RSA') {
    if (typeof key.n !== 'string' || typeof key.e !== 'string') throw badKey(`${where}: an RSA key needs n and e`);
  } else if (key.kty === 'EC') {
    if (!['P-256', 'P-384', 'P-521'].includes(String(key.crv)) || typeof key.x !== 'string' || typeof key.y !== 'string') {
      throw badKey(`${where}: an EC key needs crv P-256/384/521, x and y`);
    }
  } else {
    throw badKey(`${where}: kty must be RSA or EC`);
  }
  if (key.alg !== undefined && !(ALLOWED_ALGORITHMS as readonly string[]).includes(key.alg)) {
    throw badKey(`${where}: alg ${key.alg} is not allowed`);
  }
}

export interface NewClientKey {
  clientId: string;
  orgNumber: string;
  publicJwk: unknown;
}

/**
 * Adds a client, or another key to an existing client of the same organisation (key rollover),
 * and writes the file atomically. A missing file is created.
 */
export async function addAuthorityClient(path: string, entry: NewClientKey): Promise<{ created: boolean; keyAdded: boolean }> {
  checkPublicJwk(entry.publicJwk, `public key for ${entry.clientId}`);
  const exists = await readFile(path, 'utf8').then(
    (text) => text,
    (cause: NodeJS.ErrnoException) => {
      if (cause.code === 'ENOENT') return undefined;
      throw new AuthorityError('AUTHORITY_CONFIG_INVALID', `${path}: cannot read the file (${cause.message})`, { cause });
    },
  );
  const clients = exists === undefined ? [] : parseClientsFile(exists, path);

  const existing = clients.find((client) => client.clientId === entry.clientId);
  const newKey = entry.publicJwk;
  let result: { created: boolean; keyAdded: boolean };
  if (!existing) {
    clients.push({ clientId: entry.clientId, orgNumber: entry.orgNumber, publicJwks: { keys: [newKey] } });
    result = { created: true, keyAdded: true };
  } else {
    if (existing.orgNumber !== entry.orgNumber) {
      throw new AuthorityError(
        'AUTHORITY_CLIENT_CONFLICT',
        `client ${entry.clientId} is registered for organisation ${existing.orgNumber}, not ${entry.orgNumber}`,
      );
    }
    const thumbprint = await calculateJwkThumbprint(newKey);
    const known = await Promise.all(existing.publicJwks.keys.map((key) => calculateJwkThumbprint(key)));
    const keyAdded = !known.includes(thumbprint);
    if (keyAdded) existing.publicJwks.keys.push(newKey);
    result = { created: false, keyAdded };
  }

  // Check the whole result before writing, so a bad entry never reaches the file.
  checkClients(clients, path);
  writeFileAtomic(path, `${JSON.stringify({ clients }, null, 2)}\n`);
  return result;
}

function invalid(message: string): AuthorityError {
  return new AuthorityError('AUTHORITY_CONFIG_INVALID', message);
}

function badKey(message: string): AuthorityError {
  return new AuthorityError('AUTHORITY_JWK_INVALID', message);
}
