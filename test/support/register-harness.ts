// A real register on 127.0.0.1 for tests: the HelseID stand-in, the receiver on a SQLite file in a
// temp folder, and one registered sender with throwaway certificates and a HelseID client key.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { exportJWK, generateKeyPair, type JWK } from 'jose';

import { startAuthority, type RunningAuthority } from '../../src/authority/index.js';
import { createDevCertificates, thumbprint, type Credential } from '../../src/certs/index.js';
import { seal, serializeEnvelope } from '../../src/envelope/index.js';
import { HelseIdClient } from '../../src/helseid/index.js';
import { startReceiver, type RunningReceiver } from '../../src/server/index.js';
import { SqliteStore } from '../../src/store/index.js';

export const SENDER_ORG = '964100004';
export const SENDER_CLIENT = 'sender-client';
/** What the register stores for the built-in sample bundle, by resource type. */
export const SAMPLE_STORED_BY_TYPE = {
  Encounter: 2,
  Medication: 3,
  MedicationAdministration: 5,
  MedicationRequest: 3,
  Organization: 2,
  Patient: 2,
  Practitioner: 1,
};

/** A second institution with its own HelseID client, registered with the authority only. */
export const OTHER_CLIENT = 'other-client';
export const OTHER_ORG = '974200007';

export interface Harness {
  dir: string;
  sender: Credential;
  register: Credential;
  store: SqliteStore;
  authority: RunningAuthority;
  receiver: RunningReceiver;
  senderClient: HelseIdClient;
  /** The sender's HelseID client key, private JWK. */
  senderClientKey: JWK;
  otherClient: HelseIdClient;
  sealBundle(bundle: unknown, overrides?: { sender?: Credential; messageId?: string }): ReturnType<typeof seal>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'lmdi-harness-'));
  const certs = createDevCertificates({ senderOrgNumber: SENDER_ORG, p12Password: 'test' });
  const sender = credential(certs.senderCertPem, certs.senderKeyPem);
  const register = credential(certs.registerCertPem, certs.registerKeyPem);

  const senderKey = await clientKey();
  const otherKey = await clientKey();
  const authority = await startAuthority({
    clients: [
      { clientId: SENDER_CLIENT, orgNumber: SENDER_ORG, publicJwks: { keys: [senderKey.publicJwk] } },
      { clientId: OTHER_CLIENT, orgNumber: OTHER_ORG, publicJwks: { keys: [otherKey.publicJwk] } },
    ],
  });

  const store = new SqliteStore(join(dir, 'register.sqlite'));
  store.upsertSender({
    orgNumber: SENDER_ORG,
    clientId: SENDER_CLIENT,
    certThumbprint: thumbprint(sender.certificate),
    certPem: certs.senderCertPem,
    active: true,
  });
  const receiver = await startReceiver({ store, registerCredentials: [register], issuer: authority.issuer });

  return {
    dir,
    sender,
    register,
    store,
    authority,
    receiver,
    senderClientKey: senderKey.privateJwk,
    senderClient: new HelseIdClient({ issuer: authority.issuer, clientId: SENDER_CLIENT, clientKey: senderKey.privateJwk }),
    otherClient: new HelseIdClient({ issuer: authority.issuer, clientId: OTHER_CLIENT, clientKey: otherKey.privateJwk }),
    sealBundle: (bundle, overrides = {}) => {
      const signer = overrides.sender ?? sender;
      return seal({
        content: Buffer.from(JSON.stringify(bundle)),
        senderCertificate: signer.certificate,
        senderKey: signer.privateKey,
        registerCertificate: register.certificate,
        rapporteringFra: '2026-12-01T00:00:00Z',
        rapporteringTil: '2026-12-02T00:00:00Z',
        ...(overrides.messageId ? { messageId: overrides.messageId } : {}),
      });
    },
    close: async () => {
      await receiver.close();
      await authority.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { serializeEnvelope };

function credential(certPem: string, keyPem: string): Credential {
  return { certificate: new X509Certificate(certPem), privateKey: createPrivateKey(keyPem) };
}

async function clientKey(): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
}
