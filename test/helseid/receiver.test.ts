// The verifier as the real receiver uses it: startReceiver on a SQLite file, the real authority.
import { createHash, createPrivateKey } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startAuthority } from '../../src/authority/index.js';
import type { RunningAuthority } from '../../src/authority/index.js';
import { createDevCertificates, parseCertificate, thumbprint } from '../../src/certs/index.js';
import type { Credential } from '../../src/certs/index.js';
import { seal, serializeEnvelope } from '../../src/envelope/index.js';
import { sampleBundle } from '../../src/fhir/index.js';
import { HelseIdClient } from '../../src/helseid/index.js';
import { startReceiver } from '../../src/server/index.js';
import type { RunningReceiver } from '../../src/server/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { makeClientKey, makeDpopKey, signProof } from './helpers.js';

const SENDER_ORG = '964100004';
const REGISTERED_CLIENT = 'registered-client';
const OTHER_CLIENT = 'other-client';
const EXTERNAL_BASE = 'https://fhirmottak.lmr.example';

const dir = mkdtempSync(join(tmpdir(), 'lmdi-receiver-dpop-'));
const certs = createDevCertificates({ senderOrgNumber: SENDER_ORG, p12Password: 'x' });
const credential = (cert: string, key: string): Credential => ({ certificate: parseCertificate(Buffer.from(cert)), privateKey: createPrivateKey(key) });
const sender = credential(certs.senderCertPem, certs.senderKeyPem);
const register = credential(certs.registerCertPem, certs.registerKeyPem);

let authority: RunningAuthority;
let store: SqliteStore;
let receiver: RunningReceiver;
let registeredClient: HelseIdClient;
let otherClient: HelseIdClient;
let registeredKey: Awaited<ReturnType<typeof makeClientKey>>;
const logLines: string[] = [];

/**
 * pino writes straight to file descriptor 1 through the fs module, not through process.stdout;
 * catching those writes lets the test read what the receiver logs.
 */
const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
const originalWrite = fs.write;
const originalWriteSync = fs.writeSync;

beforeAll(async () => {
  const capture = (fd: unknown, data: unknown) => {
    if (fd === 1) logLines.push(String(data));
    return fd === 1;
  };
  fs.writeSync = ((fd: number, data: unknown, ...rest: unknown[]) =>
    capture(fd, data) ? Buffer.byteLength(String(data)) : (originalWriteSync as (...a: unknown[]) => number)(fd, data, ...rest)) as typeof fs.writeSync;
  fs.write = ((fd: number, data: unknown, ...rest: unknown[]) => {
    if (!capture(fd, data)) return (originalWrite as (...a: unknown[]) => void)(fd, data, ...rest);
    const callback = rest.at(-1) as (err: null, written: number) => void;
    process.nextTick(() => callback(null, Buffer.byteLength(String(data))));
  }) as typeof fs.write;

  registeredKey = await makeClientKey('ES256');
  const otherKey = await makeClientKey('ES256');
  authority = await startAuthority({
    clients: [
      { clientId: REGISTERED_CLIENT, orgNumber: SENDER_ORG, publicJwks: { keys: [registeredKey.publicJwk] } },
      // The same organisation with a second HelseID client the register does not know for this sender.
      { clientId: OTHER_CLIENT, orgNumber: SENDER_ORG, publicJwks: { keys: [otherKey.publicJwk] } },
    ],
  });

  store = new SqliteStore(join(dir, 'register.sqlite'));
  store.upsertSender({ orgNumber: SENDER_ORG, clientId: REGISTERED_CLIENT, certThumbprint: thumbprint(sender.certificate), certPem: certs.senderCertPem, active: true });
  receiver = await startReceiver({ store, registerCredentials: [register], issuer: authority.issuer, logLevel: 'info' });

  registeredClient = new HelseIdClient({ issuer: authority.issuer, clientId: REGISTERED_CLIENT, clientKey: registeredKey.privateJwk });
  otherClient = new HelseIdClient({ issuer: authority.issuer, clientId: OTHER_CLIENT, clientKey: otherKey.privateJwk });
});

afterAll(async () => {
  fs.write = originalWrite;
  fs.writeSync = originalWriteSync;
  await receiver?.close();
  await authority?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function envelopeJson(): string {
  const envelope = seal({
    content: Buffer.from(JSON.stringify(sampleBundle())),
    senderCertificate: sender.certificate,
    senderKey: sender.privateKey,
    registerCertificate: register.certificate,
    rapporteringFra: '2026-12-01T00:00:00Z',
    rapporteringTil: '2026-12-02T00:00:00Z',
  });
  return serializeEnvelope(envelope);
}

interface Answer {
  status: number;
  diagnostics: (string | undefined)[];
  wwwAuthenticate: string | null;
}

async function answerOf(response: Response): Promise<Answer> {
  const outcome = (await response.json()) as { issue: { diagnostics?: string }[] };
  return { status: response.status, diagnostics: outcome.issue.map((i) => i.diagnostics), wwwAuthenticate: response.headers.get('www-authenticate') };
}

const ath = (value: string) => createHash('sha256').update(value).digest('base64url');

describe('receiver: the HelseID client must be the registered sender’s', () => {
  it('stores a message delivered by the registered client (control)', async () => {
    const before = store.countMessages();
    const response = await registeredClient.fetchWithDpop(receiver.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: envelopeJson() });
    expect(response.status).toBe(200);
    expect(store.countMessages()).toBe(before + 1);
  });

  it('refuses a valid token of another client id with 400 SENDER_CLIENT_MISMATCH and stores nothing', async () => {
    const before = store.countMessages();
    const response = await otherClient.fetchWithDpop(receiver.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: envelopeJson() });

    expect(await answerOf(response)).toMatchObject({ status: 400, diagnostics: ['SENDER_CLIENT_MISMATCH'] });
    expect(store.countMessages()).toBe(before);
  });
});

describe('receiver: DPoP refusals', () => {
  let dpopKey: CryptoKeyPair;
  let token: string;

  beforeAll(async () => {
    dpopKey = await makeDpopKey();
    const client = new HelseIdClient({ issuer: authority.issuer, clientId: REGISTERED_CLIENT, clientKey: registeredKey.privateJwk, dpopKey });
    token = await client.getAccessToken();
  });

  const post = async (headers: Record<string, string>, url = receiver.url) =>
    answerOf(await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: envelopeJson() }));
  const proof = (claims: Record<string, unknown> = {}, key = dpopKey) => signProof(key, { htm: 'POST', htu: receiver.url, ath: ath(token), ...claims });

  it('answers each failure with 401, a DPoP error challenge, no storage, and logs without the token', async () => {
    const before = store.countMessages();
    logLines.length = 0;
    const cases: [Record<string, string>, string, string][] = [
      [{ authorization: `Bearer ${token}` }, 'DPOP_BEARER_REFUSED', 'invalid_token'],
      [{ authorization: `DPoP ${token}` }, 'DPOP_PROOF_MISSING', 'invalid_dpop_proof'],
      [{ authorization: `DPoP ${token}`, dpop: await proof({}, await makeDpopKey()) }, 'DPOP_JKT_MISMATCH', 'invalid_dpop_proof'],
      [{ authorization: `DPoP ${token}`, dpop: await proof({ htu: `${receiver.url}/other` }) }, 'DPOP_HTU_MISMATCH', 'invalid_dpop_proof'],
      [{ authorization: `DPoP ${token}`, dpop: await proof({ htm: 'PUT' }) }, 'DPOP_HTM_MISMATCH', 'invalid_dpop_proof'],
      [{ authorization: `DPoP ${token}`, dpop: await proof({ ath: ath('x') }) }, 'DPOP_ATH_MISMATCH', 'invalid_dpop_proof'],
      [{ authorization: `DPoP ${token}x`, dpop: await proof() }, 'DPOP_TOKEN_INVALID', 'invalid_token'],
    ];

    for (const [headers, code, oauthError] of cases) {
      const answer = await post(headers);
      expect(answer).toMatchObject({ status: 401, diagnostics: [code] });
      expect(answer.wwwAuthenticate).toMatch(new RegExp(`^DPoP error="${oauthError}"`));
    }

    expect(store.countMessages()).toBe(before);
    const log = logLines.join('');
    for (const [, code] of cases) expect(log).toContain(`"code":"${code}"`);
    expect(log).not.toContain(token.slice(-40));
    expect(log).not.toContain(token.split('.')[1]!.slice(0, 40));
  });

  it('refuses a replayed proof with DPOP_PROOF_REPLAYED, using the jti kept in the store', async () => {
    // /validate needs no envelope: the first use passes authentication, the second is a replay.
    const validateUrl = `${receiver.url}/validate`;
    const replayed = await signProof(dpopKey, { htm: 'POST', htu: validateUrl, ath: ath(token), jti: 'replay-jti-1' });
    const send = () => fetch(validateUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `DPoP ${token}`, dpop: replayed }, body: JSON.stringify(sampleBundle()) });

    expect((await send()).status).toBe(200);
    expect(store.rememberJti('replay-jti-1', Math.floor(Date.now() / 1000) + 60)).toBe(false);
    expect(await answerOf(await send())).toMatchObject({ status: 401, diagnostics: ['DPOP_PROOF_REPLAYED'] });
  });
});

describe('receiver behind a proxy, two instances on one database', () => {
  let dpopKey: CryptoKeyPair;
  let token: string;
  const instances: { store: SqliteStore; receiver: RunningReceiver; port: number }[] = [];

  beforeAll(async () => {
    const database = join(dir, 'shared.sqlite');
    for (let i = 0; i < 2; i++) {
      // Each instance has its own connection, as separate processes would.
      const own = new SqliteStore(database);
      const port = await freePort();
      const running = await startReceiver({ store: own, registerCredentials: [register], issuer: authority.issuer, port, externalBaseUrl: EXTERNAL_BASE });
      instances.push({ store: own, receiver: running, port });
    }
    dpopKey = await makeDpopKey();
    token = await new HelseIdClient({ issuer: authority.issuer, clientId: REGISTERED_CLIENT, clientKey: registeredKey.privateJwk, dpopKey }).getAccessToken();
  });

  afterAll(async () => {
    for (const instance of instances) {
      await instance.receiver.close();
      instance.store.close();
    }
  });

  /** What the proxy forwards: the request arrives at the instance's own address. */
  const validate = async (instance: number, htu: string, jti: string): Promise<Answer> => {
    const response = await fetch(`http://127.0.0.1:${instances[instance]!.port}/fhirmottak/v1/validate?via=proxy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `DPoP ${token}`, dpop: await signProof(dpopKey, { htm: 'POST', htu, ath: ath(token), jti }) },
      body: JSON.stringify(sampleBundle()),
    });
    return answerOf(response);
  };

  it('reports the external URL', () => {
    expect(instances[0]!.receiver.url).toBe(`${EXTERNAL_BASE}/fhirmottak/v1`);
  });

  it('accepts a proof naming the external URL and refuses one naming the internal address (DPOP_HTU_MISMATCH)', async () => {
    expect((await validate(0, `${EXTERNAL_BASE}/fhirmottak/v1/validate`, 'proxy-1')).status).toBe(200);
    const internal = await validate(0, `http://127.0.0.1:${instances[0]!.port}/fhirmottak/v1/validate`, 'proxy-2');
    expect(internal).toMatchObject({ status: 401, diagnostics: ['DPOP_HTU_MISMATCH'] });
  });

  it('refuses at one instance a proof already used at the other (DPOP_PROOF_REPLAYED)', async () => {
    expect((await validate(0, `${EXTERNAL_BASE}/fhirmottak/v1/validate`, 'shared-jti')).status).toBe(200);
    expect(await validate(1, `${EXTERNAL_BASE}/fhirmottak/v1/validate`, 'shared-jti')).toMatchObject({ status: 401, diagnostics: ['DPOP_PROOF_REPLAYED'] });
  });
});

/** A port free a moment ago (the receiver takes a port, not a listening socket). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
