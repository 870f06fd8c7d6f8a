import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { JWK } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';

import { authorityClientsFromFile, startAuthority } from '../../src/authority/index.js';
import { createDevCertificates } from '../../src/certs/index.js';
import { chooseIssuer } from '../../src/cli/commands/token.js';
import { lmdi } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lmdi-token-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe('lmdi keys generate', () => {
  it('writes a private JWK readable by its owner only and prints the public JWK', async () => {
    const out = join(dir, 'client.jwk');
    const run = await lmdi('keys', 'generate', '--out', out, '--alg', 'ES384');

    expect(run.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const privateJwk = JSON.parse(readFileSync(out, 'utf8')) as JWK;
    const publicJwk = JSON.parse(run.out) as JWK;
    expect(privateJwk).toMatchObject({ kty: 'EC', crv: 'P-384', alg: 'ES384' });
    expect(privateJwk.d).toBeDefined();
    expect(publicJwk.d).toBeUndefined();
    expect(publicJwk.kid).toBe(privateJwk.kid);
  });

  it('refuses to overwrite a key unless --force, and an unknown algorithm (exit 2, OPTION_INVALID)', async () => {
    const out = join(dir, 'existing.jwk');
    writeFileSync(out, '{}');
    const again = await lmdi('keys', 'generate', '--out', out);
    expect(again).toMatchObject({ code: 2 });
    expect(again.err).toMatch(/OPTION_INVALID.*--force/);

    const forced = await lmdi('keys', 'generate', '--out', out, '--force');
    expect(forced.code).toBe(0);
    expect((JSON.parse(readFileSync(out, 'utf8')) as JWK).alg).toBe('PS256');

    const badAlg = await lmdi('keys', 'generate', '--out', join(dir, 'x.jwk'), '--alg', 'HS256');
    expect(badAlg.code).toBe(2);
    expect(badAlg.err).toMatch(/OPTION_INVALID/);
  });
});

describe('lmdi token', () => {
  it('gets a token from a client registered with `keys generate` and `authority clients add`', async () => {
    const keyFile = join(dir, 'sender.jwk');
    const publicFile = join(dir, 'sender.public.jwk');
    const clientsFile = join(dir, 'clients.json');
    const generated = await lmdi('keys', 'generate', '--out', keyFile, '--alg', 'PS384');
    writeFileSync(publicFile, generated.out);
    const added = await lmdi('authority', 'clients', 'add', '--file', clientsFile, '--client-id', 'cli-sender', '--org', '974633574', '--jwk', publicFile);
    expect(added.code).toBe(0);

    const authority = await startAuthority({ clients: await authorityClientsFromFile(clientsFile) });
    try {
      const plain = await lmdi('token', '--issuer', authority.issuer, '--client-id', 'cli-sender', '--client-key', keyFile, '--alg', 'PS384');
      expect(plain.code).toBe(0);
      expect(decodeJwt(plain.out)).toMatchObject({ client_id: 'cli-sender', 'helseid://claims/client/claims/orgnr_parent': '974633574' });
      expect(plain.err).toMatch(/throwaway DPoP key/);

      const json = await lmdi('token', '--issuer', authority.issuer, '--client-id', 'cli-sender', '--client-key', keyFile, '--dpop-key', 'same', '--json');
      expect(json.err).toBe('');
      expect(json.code).toBe(0);
      const response = JSON.parse(json.out) as Record<string, unknown>;
      expect(Object.keys(response).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
      expect(response).toMatchObject({ token_type: 'DPoP', scope: 'fhi:lmr.fhirmottak/api' });
      expect(response.expires_in).toBeGreaterThan(250);
      expect(decodeProtectedHeader(response.access_token as string).typ).toBe('at+jwt');
      expect(json.err).toBe('');
    } finally {
      await authority.close();
    }
  });

  it('reads the client key from a PKCS#12 file (password in LMDI_KEY_PASSPHRASE)', async () => {
    const dev = createDevCertificates({ senderOrgNumber: '974633574', p12Password: 'p12-pass' });
    const p12 = join(dir, 'sender.p12');
    writeFileSync(p12, dev.senderP12);
    const publicJwk = { ...(createPublicKey(dev.senderKeyPem).export({ format: 'jwk' }) as JWK), kid: 'enterprise-1' };
    const authority = await startAuthority({ clients: [{ clientId: 'p12-sender', orgNumber: '974633574', publicJwks: { keys: [publicJwk] } }] });
    const previous = process.env.LMDI_KEY_PASSPHRASE;
    process.env.LMDI_KEY_PASSPHRASE = 'p12-pass';
    try {
      const run = await lmdi('token', '--issuer', authority.issuer, '--client-id', 'p12-sender', '--client-key', p12, '--kid', 'enterprise-1', '--alg', 'RS256');
      expect(run.err).toMatch(/throwaway/);
      expect(run.code).toBe(0);
      expect(decodeJwt(run.out).client_id).toBe('p12-sender');
    } finally {
      if (previous === undefined) delete process.env.LMDI_KEY_PASSPHRASE;
      else process.env.LMDI_KEY_PASSPHRASE = previous;
      await authority.close();
    }
  });

  it('names the cause with a stable code: HELSEID_INVALID_CLIENT, HELSEID_UNREACHABLE (exit 1)', async () => {
    const keyFile = join(dir, 'unregistered.jwk');
    await lmdi('keys', 'generate', '--out', keyFile, '--alg', 'ES256');
    const authority = await startAuthority({ clients: [] });
    try {
      const refused = await lmdi('token', '--issuer', authority.issuer, '--client-id', 'nobody', '--client-key', keyFile);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/^error \[HELSEID_INVALID_CLIENT\]/);
    } finally {
      await authority.close();
    }

    const unreachable = await lmdi('token', '--issuer', 'http://127.0.0.1:1', '--client-id', 'x', '--client-key', keyFile);
    expect(unreachable.code).toBe(1);
    expect(unreachable.err).toMatch(/^error \[HELSEID_UNREACHABLE\]/);
  });

  it('needs exactly one of --issuer and --env (exit 2, OPTION_INVALID)', async () => {
    const keyFile = join(dir, 'sender.jwk');
    for (const args of [[], ['--issuer', 'http://127.0.0.1:1', '--env', 'test'], ['--env', 'staging'], ['--issuer', 'not a url']]) {
      const run = await lmdi('token', ...args, '--client-id', 'x', '--client-key', keyFile);
      expect(run.code).toBe(2);
      expect(run.err).toMatch(/OPTION_INVALID/);
    }
  });

  it('refuses an unreadable key file (exit 2, KEY_UNREADABLE)', async () => {
    const run = await lmdi('token', '--issuer', 'http://127.0.0.1:1', '--client-id', 'x', '--client-key', join(dir, 'missing.jwk'));
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/KEY_UNREADABLE/);
  });

  it('maps --env test and --env prod to the HelseID issuers', () => {
    expect(chooseIssuer({ env: 'test' })).toBe('https://helseid-sts.test.nhn.no');
    expect(chooseIssuer({ env: 'prod' })).toBe('https://helseid-sts.nhn.no');
    expect(chooseIssuer({ issuer: 'http://127.0.0.1:5000' })).toBe('http://127.0.0.1:5000');
  });
});
