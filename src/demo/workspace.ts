import { X509Certificate, createPrivateKey, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

import { checkPair, createDevCertificates, thumbprint, type Credential } from '../certs/index.js';
import { SAMPLE_SENDER_ORG_NUMBER, isValidOrgNumber } from '../fhir/index.js';
import { writeFileAtomic, writeSecretFile } from '../io/index.js';
import { DemoError } from './demo-error.js';

/** Everything the demo needs on disk, made once and reused on later runs. */
export interface DemoWorkspace {
  dir: string;
  senderOrgNumber: string;
  clientId: string;
  sender: Credential;
  senderCertPem: string;
  register: Credential;
  /** The sender's HelseID client key (private JWK with kid). */
  clientKey: JWK;
  clientPublicJwk: JWK;
  databasePath: string;
  /** True when this run created the keys and certificates. */
  created: boolean;
}

const FILES = {
  manifest: 'workspace.json',
  caCert: 'dev-ca.crt.pem',
  senderCert: 'sender.crt.pem',
  senderKey: 'sender.key.pem',
  senderP12: 'sender.p12',
  senderP12Password: 'sender.p12.password',
  registerCert: 'register.crt.pem',
  registerKey: 'register.key.pem',
  clientKey: 'helseid-client.jwk.json',
  database: 'register.sqlite',
  authorityClients: 'authority-clients.json',
  receiverConfig: 'receiver.json',
} as const;

interface Manifest {
  senderOrgNumber: string;
  clientId: string;
}

/** Opens the demo folder, creating throwaway keys and certificates on first use. */
export async function openWorkspace(dir: string): Promise<DemoWorkspace> {
  const root = resolve(dir);
  const created = !existsSync(join(root, FILES.manifest));
  if (created) {
    prepareEmptyFolder(root);
    await createMaterial(root);
  }

  try {
    return loadMaterial(root, created);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new DemoError('WORKSPACE_DAMAGED', `${root} is not a complete lmdi demo folder (${reason}); delete it or choose another --dir`, [], { cause });
  }
}

/** A new work folder is made, or an empty one used: never files of something else. */
function prepareEmptyFolder(root: string): void {
  try {
    mkdirSync(root, { recursive: true });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new DemoError('WORKSPACE_UNWRITABLE', `cannot create the work folder ${root} (${code})`, [], { cause });
  }
  if (readdirSync(root).length > 0) {
    throw new DemoError('WORKSPACE_DAMAGED', `${root} holds other files but no ${FILES.manifest}; choose an empty or new --dir`);
  }
}

function loadMaterial(root: string, created: boolean): DemoWorkspace {
  const manifest = JSON.parse(readFileSync(join(root, FILES.manifest), 'utf8')) as Partial<Manifest>;
  if (typeof manifest.clientId !== 'string' || !isValidOrgNumber(String(manifest.senderOrgNumber))) {
    throw new Error(`${FILES.manifest} lacks a clientId or a valid senderOrgNumber`);
  }
  const senderCertPem = readFileSync(join(root, FILES.senderCert), 'utf8');
  const clientKey = JSON.parse(readFileSync(join(root, FILES.clientKey), 'utf8')) as JWK;
  const sender = credential(root, FILES.senderCert, FILES.senderKey);
  const register = credential(root, FILES.registerCert, FILES.registerKey);
  checkPair(sender, FILES.senderKey);
  checkPair(register, FILES.registerKey);

  return {
    dir: root,
    senderOrgNumber: String(manifest.senderOrgNumber),
    clientId: manifest.clientId,
    sender,
    senderCertPem,
    register,
    clientKey,
    clientPublicJwk: publicPart(clientKey),
    databasePath: join(root, FILES.database),
    created,
  };
}

async function createMaterial(root: string): Promise<void> {
  const senderOrgNumber = SAMPLE_SENDER_ORG_NUMBER;
  const p12Password = randomUUID();
  const certs = createDevCertificates({ senderOrgNumber, senderName: 'Fjordvik kommune', p12Password });

  writeFileAtomic(join(root, FILES.caCert), certs.caCertPem);
  writeFileAtomic(join(root, FILES.senderCert), certs.senderCertPem);
  writeSecretFile(join(root, FILES.senderKey), certs.senderKeyPem);
  writeSecretFile(join(root, FILES.senderP12), certs.senderP12);
  writeSecretFile(join(root, FILES.senderP12Password), `${p12Password}\n`);
  writeFileAtomic(join(root, FILES.registerCert), certs.registerCertPem);
  writeSecretFile(join(root, FILES.registerKey), certs.registerKeyPem);

  const { privateKey } = await generateKeyPair('PS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  jwk.alg = 'PS256';
  writeSecretFile(join(root, FILES.clientKey), `${JSON.stringify(jwk, null, 2)}\n`);

  const clientId = `lmdi-demo-${senderOrgNumber}`;
  writeServiceConfigs(root, { senderOrgNumber, clientId }, publicPart(jwk));

  // The manifest goes last: its presence means the folder is complete.
  const manifest: Manifest = { senderOrgNumber, clientId };
  writeFileAtomic(join(root, FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Config files for running the same parts by hand: `lmdi authority --clients authority-clients.json`
 * and `lmdi serve --config receiver.json` (after putting the authority's issuer URL in it).
 */
function writeServiceConfigs(root: string, manifest: Manifest, clientPublicJwk: JWK): void {
  const clients = { clients: [{ clientId: manifest.clientId, orgNumber: manifest.senderOrgNumber, publicJwks: { keys: [clientPublicJwk] } }] };
  writeFileAtomic(join(root, FILES.authorityClients), `${JSON.stringify(clients, null, 2)}\n`);

  const receiver = {
    database: FILES.database,
    issuer: 'http://127.0.0.1:4000',
    port: 8080,
    registerCredentials: [{ certificate: FILES.registerCert, key: FILES.registerKey }],
    senders: [{ orgNumber: manifest.senderOrgNumber, clientId: manifest.clientId, certificate: FILES.senderCert }],
  };
  writeFileAtomic(join(root, FILES.receiverConfig), `${JSON.stringify(receiver, null, 2)}\n`);
}

function credential(root: string, certFile: string, keyFile: string): Credential {
  return {
    certificate: new X509Certificate(readFileSync(join(root, certFile))),
    privateKey: createPrivateKey(readFileSync(join(root, keyFile))),
  };
}

function publicPart(jwk: JWK): JWK {
  const { kty, n, e, crv, x, y, kid, alg } = jwk;
  return Object.fromEntries(Object.entries({ kty, n, e, crv, x, y, kid, alg }).filter(([, v]) => v !== undefined));
}

/** The sender as the register records it. */
export function registeredSender(workspace: DemoWorkspace) {
  return {
    orgNumber: workspace.senderOrgNumber,
    clientId: workspace.clientId,
    certThumbprint: thumbprint(workspace.sender.certificate),
    certPem: workspace.senderCertPem,
    active: true,
  };
}
