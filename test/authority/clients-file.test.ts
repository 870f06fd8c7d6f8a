import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { addAuthorityClient, authorityClientsFromFile } from '../../src/authority/index.js';
import { makeClientKey } from '../helseid/helpers.js';
import { lmdi } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lmdi-authority-clients-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ORG = '974633574';


function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('lmdi authority clients add', () => {
  it('creates the file, adds a second key to the same client, and leaves no temporary files', async () => {
    const clients = join(dir, 'sub', 'clients.json');
    const first = await makeClientKey('ES256', 'k1');
    const second = await makeClientKey('PS256', 'k2');

    const created = await lmdi('authority', 'clients', 'add', '--file', clients, '--client-id', 'c1', '--org', ORG, '--jwk', file('k1.jwk', first.publicJwk));
    expect(created).toMatchObject({ code: 0 });
    expect(created.out).toMatch(/added client c1/);
    const rolled = await lmdi('authority', 'clients', 'add', '--file', clients, '--client-id', 'c1', '--org', ORG, '--jwk', file('k2.jwk', second.publicJwk));
    expect(rolled.out).toMatch(/added a key to client c1/);
    const repeated = await lmdi('authority', 'clients', 'add', '--file', clients, '--client-id', 'c1', '--org', ORG, '--jwk', file('k2.jwk', second.publicJwk));
    expect(repeated.out).toMatch(/already registered/);

    expect(await authorityClientsFromFile(clients)).toEqual([{ clientId: 'c1', orgNumber: ORG, publicJwks: { keys: [first.publicJwk, second.publicJwk] } }]);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['clients.json']);
  });

  it('refuses a private JWK (AUTHORITY_JWK_INVALID) and leaves the file unchanged', async () => {
    const clients = file('unchanged.json', { clients: [] });
    const key = await makeClientKey('ES256');
    const run = await lmdi('authority', 'clients', 'add', '--file', clients, '--client-id', 'c', '--org', ORG, '--jwk', file('private.jwk', key.privateJwk));

    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^error \[AUTHORITY_JWK_INVALID\].*private key material/);
    expect(JSON.parse(readFileSync(clients, 'utf8'))).toEqual({ clients: [] });
  });

  it('refuses an invalid organisation number (AUTHORITY_CONFIG_INVALID)', async () => {
    const key = await makeClientKey('ES256');
    const run = await lmdi('authority', 'clients', 'add', '--file', join(dir, 'org.json'), '--client-id', 'c', '--org', '123456789', '--jwk', file('org.jwk', key.publicJwk));
    expect(run.err).toMatch(/^error \[AUTHORITY_CONFIG_INVALID\]/);
  });

  it('refuses a client id registered for another organisation (AUTHORITY_CLIENT_CONFLICT)', async () => {
    const key = await makeClientKey('ES256');
    const clients = join(dir, 'conflict.json');
    await addAuthorityClient(clients, { clientId: 'c', orgNumber: ORG, publicJwk: key.publicJwk });
    await expect(addAuthorityClient(clients, { clientId: 'c', orgNumber: '983658725', publicJwk: key.publicJwk })).rejects.toMatchObject({ code: 'AUTHORITY_CLIENT_CONFLICT' });
  });

  it('refuses a broken clients file (AUTHORITY_CONFIG_INVALID) and an unreadable JWK file (INPUT_UNREADABLE, exit 2)', async () => {
    const key = await makeClientKey('ES256');
    const broken = file('broken.json', '{"clients": 3}');
    await expect(addAuthorityClient(broken, { clientId: 'c', orgNumber: ORG, publicJwk: key.publicJwk })).rejects.toMatchObject({ code: 'AUTHORITY_CONFIG_INVALID' });

    const run = await lmdi('authority', 'clients', 'add', '--file', join(dir, 'x.json'), '--client-id', 'c', '--org', ORG, '--jwk', join(dir, 'missing.jwk'));
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/INPUT_UNREADABLE/);
  });
});

describe('lmdi authority', () => {
  it('still requires --clients to run (exit 2) and reports a bad clients file as CONFIG_INVALID', async () => {
    const missing = await lmdi('authority');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--clients/);

    const bad = await lmdi('authority', '--clients', file('bad-run.json', '{"clients": [{"clientId": ""}]}'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/CONFIG_INVALID.*clientId/);
  });
});

describe('authorityClientsFromFile', () => {
  it('reads the clients array from a JSON file', async () => {
    const key = await makeClientKey('ES256');
    const clients = [{ clientId: 'a', publicJwks: { keys: [key.publicJwk] }, orgNumber: ORG }];
    expect(await authorityClientsFromFile(file('read.json', { clients }))).toEqual(clients);
  });
});
