// Client and DPoP keys: loading them from JWK, PEM or PKCS#12 files, choosing and checking
// the signing algorithm, and generating new ones.
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';

import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { JWK } from 'jose';

import { CertsError, readPkcs12, readPrivateKey } from '../certs/index.js';
import { ALLOWED_ALGORITHMS } from './constants.js';
import type { AllowedAlgorithm } from './constants.js';
import { HelseIdError } from './helseid-error.js';

/** JWK members that only a private (or symmetric) key has. */
export const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

export interface LoadKeyOptions {
  /** Password of a PKCS#12 file or passphrase of an encrypted PEM key. */
  password?: string;
  /** Key id to announce when the file itself carries none (PEM, PKCS#12). */
  kid?: string;
}

/**
 * Reads a private signing key from a JWK file (a key or a JWKS with one key), a PEM file
 * (PKCS#1/PKCS#8, optionally encrypted) or a PKCS#12 file (.p12/.pfx), as a private JWK.
 */
export function loadPrivateKey(path: string, options: LoadKeyOptions = {}): JWK {
  const bytes = readKeyFile(path);
  const text = bytes.toString('utf8').trim();
  const extension = extname(path).toLowerCase();

  if (text.startsWith('{')) return withKid(privateJwkFromJson(text, path), options.kid);

  const keyObject = text.startsWith('-----BEGIN') && extension !== '.p12' && extension !== '.pfx'
    ? readPrivateKey(path, options.password)
    : readPkcs12(path, options.password ?? '').privateKey;
  return withKid(jwkFromKeyObject(keyObject, path), options.kid);
}

/** The public half of a JWK: every private member removed. */
export function publicJwkOf(jwk: JWK): JWK {
  const copy: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_JWK_MEMBERS) delete copy[member];
  return copy as JWK;
}

/** True when the JWK carries private key material. */
export function hasPrivateMembers(jwk: object): boolean {
  return PRIVATE_JWK_MEMBERS.some((member) => member in jwk);
}

/**
 * The algorithm to sign with: the requested one if the key can do it, else the key's own `alg`,
 * else a default for the key (PS256 for RSA, ES256/384/512 by curve for EC).
 */
export function signingAlgorithmFor(jwk: JWK, requested: string | undefined = jwk.alg): AllowedAlgorithm {
  const fitting = algorithmsFor(jwk);
  if (fitting.length === 0) {
    throw new HelseIdError('HELSEID_KEY_INVALID', `key type ${jwk.kty ?? '(none)'}${jwk.crv ? ` ${jwk.crv}` : ''} cannot sign for HelseID; use RSA or EC P-256/384/521`);
  }
  if (requested === undefined) return fitting[0]!;

  if (!(ALLOWED_ALGORITHMS as readonly string[]).includes(requested)) {
    throw new HelseIdError('HELSEID_KEY_INVALID', `algorithm ${requested} is not allowed; use one of ${ALLOWED_ALGORITHMS.join(', ')}`);
  }
  if (!(fitting as string[]).includes(requested)) {
    throw new HelseIdError('HELSEID_KEY_INVALID', `algorithm ${requested} does not fit this ${jwk.kty} key; it can use ${fitting.join(', ')}`);
  }
  return requested as AllowedAlgorithm;
}

/** Imports a private JWK as a key pair for `alg`; the public key is extractable (DPoP puts it in the proof). */
export async function importKeyPair(privateJwk: JWK, alg: AllowedAlgorithm): Promise<CryptoKeyPair> {
  if (!hasPrivateMembers(privateJwk) || !privateJwk.d) {
    throw new HelseIdError('HELSEID_KEY_INVALID', 'a private key is needed, but the JWK has no private part');
  }

  try {
    const { alg: _ignored, key_ops: _ops, use: _use, ...bare } = privateJwk;
    const privateKey = (await importJWK({ ...bare, alg }, alg)) as CryptoKey;
    const publicKey = (await importJWK({ ...publicJwkOf(bare), alg, ext: true }, alg, { extractable: true })) as CryptoKey;
    return { privateKey, publicKey };
  } catch (cause) {
    throw new HelseIdError('HELSEID_KEY_INVALID', `the key cannot be used with ${alg}: ${(cause as Error).message}`, { cause });
  }
}

export interface GeneratedKey {
  privateJwk: JWK;
  publicJwk: JWK;
}

/** A new signing key for `alg`, with kid = its RFC 7638 thumbprint. */
export async function generateSigningKey(alg: string = 'PS256'): Promise<GeneratedKey> {
  if (!(ALLOWED_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new HelseIdError('HELSEID_KEY_INVALID', `algorithm ${alg} is not allowed; use one of ${ALLOWED_ALGORITHMS.join(', ')}`);
  }

  // 3072-bit RSA: comfortably above HelseID's 2048-bit minimum.
  const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 3072 });
  const exported = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(exported);
  const privateJwk: JWK = { ...exported, kid, alg, use: 'sig' };
  return { privateJwk, publicJwk: publicJwkOf(privateJwk) };
}

function algorithmsFor(jwk: JWK): AllowedAlgorithm[] {
  if (jwk.kty === 'RSA') return ['PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'];
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return ['ES256'];
  if (jwk.kty === 'EC' && jwk.crv === 'P-384') return ['ES384'];
  if (jwk.kty === 'EC' && jwk.crv === 'P-521') return ['ES512'];
  return [];
}

function readKeyFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new CertsError('KEY_UNREADABLE', `${path}: cannot read the file (${(cause as Error).message})`, { cause });
  }
}

function privateJwkFromJson(text: string, path: string): JWK {
  let parsed: { keys?: unknown } & JWK;
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (cause) {
    throw new CertsError('KEY_UNREADABLE', `${path}: not valid JSON`, { cause });
  }

  const jwk = Array.isArray(parsed.keys) ? (parsed.keys.length === 1 ? (parsed.keys[0] as JWK) : undefined) : parsed;
  if (!jwk) throw new HelseIdError('HELSEID_KEY_INVALID', `${path}: a JWK set must hold exactly one key`);
  if (!jwk.d) throw new HelseIdError('HELSEID_KEY_INVALID', `${path}: holds a public JWK; the client needs the private key`);
  return jwk;
}

function jwkFromKeyObject(key: KeyObject, path: string): JWK {
  try {
    return key.export({ format: 'jwk' }) as JWK;
  } catch (cause) {
    throw new HelseIdError('HELSEID_KEY_INVALID', `${path}: the key cannot be expressed as a JWK`, { cause });
  }
}

function withKid(jwk: JWK, kid: string | undefined): JWK {
  return kid === undefined ? jwk : { ...jwk, kid };
}
