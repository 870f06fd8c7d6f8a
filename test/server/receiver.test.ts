import { X509Certificate, createHash, createPrivateKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';

import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDevCertificates, thumbprint } from '../../src/certs/index.js';
import { sampleBundle } from '../../src/fhir/index.js';
import { HelseIdClient } from '../../src/helseid/index.js';
import { SAMPLE_STORED_BY_TYPE, SENDER_CLIENT, startHarness, serializeEnvelope, type Harness } from '../support/register-harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness.close();
});

interface Answer {
  status: number;
  body: { resourceType: string; issue: { severity: string; code: string; diagnostics?: string; details?: { text: string } }[] };
  wwwAuthenticate: string | null;
}

async function post(client: HelseIdClient, path: string, body: string): Promise<Answer> {
  const response = await client.fetchWithDpop(`${harness.receiver.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, body: await response.json(), wwwAuthenticate: response.headers.get('www-authenticate') };
}

function deliver(envelope: object, client = harness.senderClient): Promise<Answer> {
  return post(client, '', JSON.stringify(envelope));
}

function diagnostics(answer: Answer): string[] {
  return answer.body.issue.map((issue) => issue.diagnostics ?? '');
}

/** Flips one bit of the decoded bytes of a Base64 field. */
function tamper(value: string, at = 10): string {
  const bytes = Buffer.from(value, 'base64');
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

describe('receiver: the main endpoint', () => {
  it('stores a sealed, valid bundle and answers 200 with an OperationOutcome', async () => {
    const envelope = harness.sealBundle(sampleBundle());

    const answer = await deliver(envelope);

    expect(answer.status).toBe(200);
    expect(answer.body.resourceType).toBe('OperationOutcome');
    expect(answer.body.issue[0]?.severity).toBe('information');
    expect(harness.store.countResourcesByType(envelope.messageId)).toEqual(SAMPLE_STORED_BY_TYPE);
  });

  it('answers with a status for every submitted resource', async () => {
    const answer = await deliver(harness.sealBundle(sampleBundle()));
    const perResource = answer.body.issue.slice(1) as { expression?: string[]; details?: { text: string } }[];

    expect(perResource).toHaveLength(18);
    expect(perResource[0]?.expression).toEqual(['Bundle.entry[0]']);
    expect(perResource.every((issue) => / stored$/.test(issue.details?.text ?? ''))).toBe(true);
  });

  it('refuses other content under a message id it already stored', async () => {
    const first = harness.sealBundle(sampleBundle());
    expect((await deliver(first)).status).toBe(200);

    const other = sampleBundle() as { entry: unknown[] };
    other.entry.pop();
    const reused = harness.sealBundle(other, { messageId: first.messageId });
    const answer = await deliver(reused);

    expect(answer.status).toBe(400);
    expect(diagnostics(answer)).toContain('MESSAGE_ID_REUSED');
    expect(Object.values(harness.store.countResourcesByType(first.messageId)).reduce((a, b) => a + b)).toBe(18);
  });

  it('stores a resent message only once', async () => {
    const envelope = harness.sealBundle(sampleBundle());
    const before = harness.store.countMessages();

    expect((await deliver(envelope)).status).toBe(200);
    const again = await deliver(envelope);

    expect(again.status).toBe(200);
    expect(again.body.issue[0]?.details?.text).toMatch(/already stored/);
    expect(harness.store.countMessages()).toBe(before + 1);
  });
});

describe('receiver: refused envelopes store nothing', () => {
  async function expectRefused(envelope: object, code: string, client?: HelseIdClient): Promise<Answer> {
    const before = harness.store.countMessages();
    const answer = await deliver(envelope, client);

    expect(answer.status).toBe(400);
    expect(answer.body.resourceType).toBe('OperationOutcome');
    expect(diagnostics(answer)).toContain(code);
    expect(harness.store.countMessages()).toBe(before);
    return answer;
  }

  it('refuses one changed byte in encryptedContent: the signature no longer verifies', async () => {
    const envelope = harness.sealBundle(sampleBundle());
    await expectRefused({ ...envelope, encryptedContent: tamper(envelope.encryptedContent) }, 'ENVELOPE_SIGNATURE_INVALID');
  });

  it('refuses a signature made with another key', async () => {
    const envelope = harness.sealBundle(sampleBundle());
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = sign('sha256', Buffer.from(envelope.encryptedContent, 'base64'), privateKey).toString('base64');

    await expectRefused({ ...envelope, signature: forged }, 'ENVELOPE_SIGNATURE_INVALID');
  });

  it('refuses a tampered authentication tag even with a valid signature', async () => {
    const envelope = harness.sealBundle(sampleBundle());
    await expectRefused({ ...envelope, authenticationTag: tamper(envelope.authenticationTag, 3) }, 'ENVELOPE_TAG_INVALID');
  });

  it('refuses a signature certificate thumbprint it does not know', async () => {
    const envelope = harness.sealBundle(sampleBundle());
    await expectRefused({ ...envelope, signatureCertificateThumbprint: 'AB'.repeat(20) }, 'ENVELOPE_UNKNOWN_SIGNATURE_CERT');
  });

  it('refuses an envelope signed by an enterprise certificate that is not registered', async () => {
    const stranger = createDevCertificates({ senderOrgNumber: '964100004', p12Password: 'x' });
    const envelope = harness.sealBundle(sampleBundle(), {
      sender: { certificate: new X509Certificate(stranger.senderCertPem), privateKey: createPrivateKey(stranger.senderKeyPem) },
    });
    await expectRefused(envelope, 'ENVELOPE_UNKNOWN_SIGNATURE_CERT');
  });

  it('refuses an encryption certificate thumbprint that is not the register’s', async () => {
    const envelope = harness.sealBundle(sampleBundle());
    await expectRefused({ ...envelope, encryptionCertificateThumbprint: 'CD'.repeat(20) }, 'ENVELOPE_UNKNOWN_ENCRYPTION_CERT');
  });

  it('refuses a senderOrganizationIdentifier that differs from the signing certificate', async () => {
    const envelope = harness.sealBundle(sampleBundle());
    await expectRefused({ ...envelope, senderOrganizationIdentifier: '974200007' }, 'ENVELOPE_ORG_MISMATCH');
  });

  it('refuses a bundle that breaks the LMDI rules, naming the rule', async () => {
    const bundle = sampleBundle() as { type: string };
    bundle.type = 'collection';
    const answer = await expectRefused(harness.sealBundle(bundle), 'lmdi-bundle.type');
    expect(answer.body.issue.some((issue) => issue.severity === 'error')).toBe(true);
  });

  it('refuses a body that lacks the envelope fields', async () => {
    await expectRefused({}, 'ENVELOPE_FIELD_MISSING');
  });

  it('refuses an envelope with a field the protocol does not have', async () => {
    await expectRefused({ ...harness.sealBundle(sampleBundle()), hello: 'world' }, 'ENVELOPE_UNKNOWN_FIELD');
  });

  it('refuses a body that is not JSON with a 400 OperationOutcome', async () => {
    const answer = await post(harness.senderClient, '', '{"messageId": ');
    expect(answer.status).toBe(400);
    expect(answer.body.resourceType).toBe('OperationOutcome');
  });

  it('refuses a sender the register has marked inactive', async () => {
    const registered = harness.store.findSenderByThumbprint(thumbprint(harness.sender.certificate));
    if (!registered) throw new Error('harness sender missing');
    harness.store.upsertSender({ ...registered, active: false });
    try {
      await expectRefused(harness.sealBundle(sampleBundle()), 'SENDER_INACTIVE');
    } finally {
      harness.store.upsertSender({ ...registered, active: true });
    }
  });

  it('refuses a delivery whose HelseID client is not the registered sender’s', async () => {
    const envelope = harness.sealBundle(sampleBundle());
    await expectRefused(envelope, 'SENDER_CLIENT_MISMATCH', harness.otherClient);
  });
});

describe('receiver: bounded bundles', () => {
  it('refuses a bundle larger than maxBundleBytes before validating it', async () => {
    const { startReceiver } = await import('../../src/server/index.js');
    const small = await startReceiver({ store: harness.store, registerCredentials: [harness.register], issuer: harness.authority.issuer, maxBundleBytes: 1000 });
    try {
      const response = await harness.senderClient.fetchWithDpop(small.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(harness.sealBundle(sampleBundle())),
      });
      const body = (await response.json()) as Answer['body'];

      expect(response.status).toBe(400);
      expect(body.issue.map((issue) => issue.diagnostics)).toContain('ENVELOPE_TOO_LARGE');
    } finally {
      await small.close();
    }
  });
});

describe('receiver: the validation endpoints', () => {
  it('validateLegemiddelregisterBundle checks the envelope and content but stores nothing', async () => {
    const envelope = harness.sealBundle(sampleBundle());
    const answer = await post(harness.senderClient, '/validateLegemiddelregisterBundle', JSON.stringify(envelope));

    expect(answer.status).toBe(200);
    expect(harness.store.countResourcesByType(envelope.messageId)).toEqual({});
  });

  it('validateLegemiddelregisterBundle refuses a tampered envelope', async () => {
    const envelope = harness.sealBundle(sampleBundle());
    const answer = await post(harness.senderClient, '/validateLegemiddelregisterBundle', JSON.stringify({ ...envelope, signature: tamper(envelope.signature) }));

    expect(answer.status).toBe(400);
    expect(diagnostics(answer)).toContain('ENVELOPE_SIGNATURE_INVALID');
  });

  it('validate accepts a plain valid bundle and refuses an invalid one', async () => {
    const good = await post(harness.senderClient, '/validate', JSON.stringify(sampleBundle()));
    const bad = await post(harness.senderClient, '/validate', JSON.stringify({ resourceType: 'Bundle', type: 'batch', entry: [] }));

    expect(good.status).toBe(200);
    expect(bad.status).toBe(400);
    expect(bad.body.issue.some((issue) => issue.severity === 'error')).toBe(true);
  });
});

describe('receiver: authentication', () => {
  const body = () => serializeEnvelope(harness.sealBundle(sampleBundle()));

  async function raw(headers: Record<string, string>): Promise<Answer> {
    const before = harness.store.countMessages();
    const response = await fetch(harness.receiver.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body() });
    expect(harness.store.countMessages()).toBe(before);
    return { status: response.status, body: await response.json(), wwwAuthenticate: response.headers.get('www-authenticate') };
  }

  it('answers 401 with a DPoP challenge when there is no Authorization header', async () => {
    const answer = await raw({});
    expect(answer.status).toBe(401);
    expect(diagnostics(answer)).toEqual(['DPOP_MISSING_TOKEN']);
    expect(answer.wwwAuthenticate).toMatch(/^DPoP /);
    expect(answer.body.resourceType).toBe('OperationOutcome');
  });

  it('checks the caller before reading the body', async () => {
    const response = await fetch(harness.receiver.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"not json' });
    expect(response.status).toBe(401);
  });

  it('refuses a DPoP-bound token presented as Bearer', async () => {
    const token = await harness.senderClient.getAccessToken();
    const answer = await raw({ authorization: `Bearer ${token}` });
    expect(answer.status).toBe(401);
    expect(diagnostics(answer)).toEqual(['DPOP_BEARER_REFUSED']);
    expect(answer.wwwAuthenticate).toMatch(/^DPoP /);
  });

  it('refuses a DPoP token without a proof', async () => {
    const token = await harness.senderClient.getAccessToken();
    const answer = await raw({ authorization: `DPoP ${token}` });
    expect(answer.status).toBe(401);
    expect(diagnostics(answer)).toEqual(['DPOP_PROOF_MISSING']);
    expect(answer.wwwAuthenticate).toMatch(/^DPoP error="invalid_dpop_proof"/);
  });

  it('refuses a proof signed with a key the token is not bound to', async () => {
    const token = await harness.senderClient.getAccessToken();
    const proof = await dpopProof(token, harness.receiver.url);
    const answer = await raw({ authorization: `DPoP ${token}`, dpop: proof });
    expect(answer.status).toBe(401);
    expect(diagnostics(answer)).toEqual(['DPOP_JKT_MISMATCH']);
    expect(answer.wwwAuthenticate).toMatch(/^DPoP error=/);
  });

  it('refuses a token that is not from the configured issuer', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ client_id: SENDER_CLIENT, scope: 'fhi:lmr.fhirmottak/api' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
      .setIssuer('https://helseid.invalid')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const answer = await raw({ authorization: `DPoP ${forged}`, dpop: await dpopProof(forged, harness.receiver.url) });
    expect(answer.status).toBe(401);
    expect(diagnostics(answer)).toEqual(['DPOP_TOKEN_INVALID']);
    expect(answer.wwwAuthenticate).toMatch(/^DPoP error="invalid_token"/);
  });
});

/** A well-formed DPoP proof with a fresh key: right shape, wrong key for any real token. */
async function dpopProof(accessToken: string, url: string): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return new SignJWT({
    htm: 'POST',
    htu: url,
    jti: randomUUID(),
    ath: createHash('sha256').update(accessToken).digest('base64url'),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })
    .setIssuedAt()
    .sign(privateKey);
}
