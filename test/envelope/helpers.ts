// Shared fixtures: dev credentials for both parties, and an envelope builder that shares no code
// with src/envelope (WebCrypto only), used to prove interoperability and to craft bad envelopes.
import { X509Certificate, createPrivateKey, randomUUID, webcrypto } from 'node:crypto';
import { gzipSync } from 'node:zlib';

import { createDevCertificates, type Credential } from '../../src/certs/index.js';
import { seal, type SealOptions, type SignertKryptertBundle } from '../../src/envelope/index.js';

const { subtle } = webcrypto;

export interface Parties {
  sender: Credential;
  register: Credential;
  /** A second register key pair, as during a certificate rollover. */
  nextRegister: Credential;
  /** A sender with another organisation number. */
  otherSender: Credential;
}

export const SENDER_ORG = '974760673';
export const OTHER_ORG = '923609016';

function credential(certPem: string, keyPem: string): Credential {
  return { certificate: new X509Certificate(certPem), privateKey: createPrivateKey(keyPem) };
}

let cached: Parties | undefined;

/** Dev certificates, made once per test file (RSA key generation takes a moment). */
export function parties(): Parties {
  if (cached) return cached;
  const first = createDevCertificates({ senderOrgNumber: SENDER_ORG, p12Password: 'x' });
  const second = createDevCertificates({ senderOrgNumber: OTHER_ORG, p12Password: 'x' });
  cached = {
    sender: credential(first.senderCertPem, first.senderKeyPem),
    register: credential(first.registerCertPem, first.registerKeyPem),
    nextRegister: credential(second.registerCertPem, second.registerKeyPem),
    otherSender: credential(second.senderCertPem, second.senderKeyPem),
  };
  return cached;
}

/** Everything the independent builder needs; `payload` is the already-compressed plaintext. */
export interface IndependentSealInput {
  payload: Uint8Array;
  sender: Credential;
  register: X509Certificate;
  orgNumber: string;
  rapporteringFra?: string;
  rapporteringTil?: string;
}

/** The thirteen values of an envelope, as the .NET sample computes them, before serialization. */
export type EnvelopeValues = Record<string, string>;

/**
 * Seals with WebCrypto alone: AES-256-GCM (tag split off the end), RSA-OAEP with SHA-256 and
 * MGF1-SHA-256, RSASSA-PKCS1-v1_5 with SHA-256 over the ciphertext; thumbprints from SHA-1 of DER.
 */
export async function independentSeal(input: IndependentSealInput): Promise<EnvelopeValues> {
  const aesKey = webcrypto.getRandomValues(new Uint8Array(32));
  const nonce = webcrypto.getRandomValues(new Uint8Array(12));

  const aes = await subtle.importKey('raw', aesKey, 'AES-GCM', false, ['encrypt']);
  const sealed = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: nonce, tagLength: 128 }, aes, input.payload));
  const ciphertext = sealed.subarray(0, sealed.length - 16);
  const tag = sealed.subarray(sealed.length - 16);

  const spki = input.register.publicKey.export({ format: 'der', type: 'spki' });
  const oaep = await subtle.importKey('spki', spki, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
  const encryptedKey = new Uint8Array(await subtle.encrypt({ name: 'RSA-OAEP' }, oaep, aesKey));

  const pkcs8 = input.sender.privateKey.export({ format: 'der', type: 'pkcs8' });
  const signer = await subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  const signature = new Uint8Array(await subtle.sign('RSASSA-PKCS1-v1_5', signer, ciphertext));

  return {
    EncryptedContent: b64(ciphertext),
    RapporteringFra: input.rapporteringFra ?? '2025-01-01T00:00:00.0000000+01:00',
    RapporteringTil: input.rapporteringTil ?? '2025-01-31T23:59:59.9999999+01:00',
    EncryptionCertificateThumbprint: await windowsThumbprint(input.register),
    EncryptedKey: b64(encryptedKey),
    MessageFormatVersion: '1.0',
    Nonce: b64(nonce),
    AuthenticationTag: b64(tag),
    MessageId: randomUUID(),
    GeneratedAt: '2025-02-01T08:15:30.1234567Z',
    SenderOrganizationIdentifier: input.orgNumber,
    SignatureCertificateThumbprint: await windowsThumbprint(input.sender.certificate),
    Signature: b64(signature),
  };
}

/** Seals a UTF-8 text with gzip first, as the samples do with GZipStream. */
export async function independentSealText(text: string, p: Parties): Promise<EnvelopeValues> {
  return independentSeal({ payload: gzipSync(Buffer.from(text, 'utf8')), sender: p.sender, register: p.register.certificate, orgNumber: SENDER_ORG });
}

/** Serializes like System.Text.Json with WriteIndented (the PowerShell sample pretty-prints). */
export function dotnetJson(values: EnvelopeValues): string {
  return JSON.stringify(values, null, 2).replaceAll('\n', '\r\n');
}

async function windowsThumbprint(certificate: X509Certificate): Promise<string> {
  const digest = new Uint8Array(await subtle.digest('SHA-1', certificate.raw));
  return Buffer.from(digest).toString('hex').toUpperCase();
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** A small LegemiddelregisterBundle-shaped JSON text (content does not matter to the envelope). */
export function sampleContent(): string {
  return JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'urn:uuid:1', resource: { resourceType: 'Patient', note: 'æøå ÆØÅ' } }] });
}

/** Camel-case copy of PascalCase values (first letter lowered), in the order given. */
export function camelCase(values: EnvelopeValues): EnvelopeValues {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k[0]!.toLowerCase() + k.slice(1), v]));
}

/** The sample sealed by the product's own seal() (the independent builder above is for proofs). */
export function sealSample(p: Parties, extra: Partial<SealOptions> = {}): SignertKryptertBundle {
  return seal({
    content: Buffer.from(sampleContent()),
    senderCertificate: p.sender.certificate,
    senderKey: p.sender.privateKey,
    registerCertificate: p.register.certificate,
    rapporteringFra: '2025-01-01T00:00:00+01:00',
    rapporteringTil: '2025-01-31T23:59:59+01:00',
    ...extra,
  });
}
