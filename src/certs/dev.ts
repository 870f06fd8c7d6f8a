import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

/** What `createDevCertificates` returns: PEM texts, and a PKCS#12 for each party. */
export interface DevCertificates {
  caCertPem: string;
  senderCertPem: string;
  senderKeyPem: string;
  senderP12: Buffer;
  registerCertPem: string;
  registerKeyPem: string;
  registerP12: Buffer;
}

export interface DevCertificateOptions {
  senderOrgNumber: string;
  senderName?: string;
  registerOrgNumber?: string;
  /** Password of both PKCS#12 files. */
  p12Password: string;
  validDays?: number;
}

const ORGANIZATION_IDENTIFIER_OID = '2.5.4.97';

/**
 * Makes a throwaway test CA and two SEID-2-style enterprise certificates signed by it: the
 * sender's (for signing) and the register's (for key encipherment). For development only.
 */
export function createDevCertificates(options: DevCertificateOptions): DevCertificates {
  const validDays = options.validDays ?? 365;

  const caKeys = rsaKeyPair();
  const caSubject = [
    { shortName: 'C', value: 'NO' },
    { shortName: 'O', value: 'lmdi development CA' },
    { shortName: 'CN', value: 'lmdi dev CA (not for production)' },
  ];
  const ca = buildCertificate(caKeys.forgePublic, caSubject, caSubject, validDays, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  ca.sign(caKeys.forgePrivate, forge.md.sha256.create());

  const sender = issue(ca, caKeys.forgePrivate, {
    orgNumber: options.senderOrgNumber,
    commonName: options.senderName ?? 'lmdi dev sender',
    keyUsage: { digitalSignature: true, nonRepudiation: true },
    validDays,
  });
  const register = issue(ca, caKeys.forgePrivate, {
    orgNumber: options.registerOrgNumber ?? '983744516',
    commonName: 'lmdi dev register',
    keyUsage: { keyEncipherment: true, dataEncipherment: true },
    validDays,
  });

  return {
    caCertPem: forge.pki.certificateToPem(ca),
    senderCertPem: forge.pki.certificateToPem(sender.certificate),
    senderKeyPem: sender.keyPem,
    senderP12: toPkcs12(sender.certificate, sender.forgePrivate, options.p12Password),
    registerCertPem: forge.pki.certificateToPem(register.certificate),
    registerKeyPem: register.keyPem,
    registerP12: toPkcs12(register.certificate, register.forgePrivate, options.p12Password),
  };
}

interface IssueOptions {
  orgNumber: string;
  commonName: string;
  keyUsage: Record<string, boolean>;
  validDays: number;
}

function issue(ca: forge.pki.Certificate, caKey: forge.pki.rsa.PrivateKey, options: IssueOptions) {
  const keys = rsaKeyPair();
  const subject = [
    { shortName: 'C', value: 'NO' },
    { shortName: 'O', value: options.commonName },
    { shortName: 'CN', value: options.commonName },
    {
      type: ORGANIZATION_IDENTIFIER_OID,
      value: `NTRNO-${options.orgNumber}`,
      valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class,
    },
  ];

  const certificate = buildCertificate(keys.forgePublic, subject, ca.subject.attributes, options.validDays, [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', critical: true, ...options.keyUsage },
  ]);
  certificate.sign(caKey, forge.md.sha256.create());

  return { certificate, forgePrivate: keys.forgePrivate, keyPem: pkcs8Pem(keys.privateKey) };
}

function buildCertificate(
  publicKey: forge.pki.rsa.PublicKey,
  subject: forge.pki.CertificateField[],
  issuer: forge.pki.CertificateField[],
  validDays: number,
  extensions: object[],
): forge.pki.Certificate {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = publicKey;

  // A positive serial: a leading 0x01 keeps the DER integer from reading as negative.
  certificate.serialNumber = '01' + randomBytes(15).toString('hex');

  certificate.validity.notBefore = new Date(Date.now() - 60_000);
  certificate.validity.notAfter = new Date(Date.now() + validDays * 86_400_000);
  certificate.setSubject(subject);
  certificate.setIssuer(issuer);
  certificate.setExtensions(extensions);
  return certificate;
}

// Node generates the keys (forge's pure-JS key generation is slow); forge only signs.
function rsaKeyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    forgePublic: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string),
    forgePrivate: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }) as string),
  };
}

function pkcs8Pem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }) as string;
}

function toPkcs12(certificate: forge.pki.Certificate, key: forge.pki.rsa.PrivateKey, password: string): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [certificate], password, { algorithm: 'aes256' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
