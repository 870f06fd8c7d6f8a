import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import forge from 'node-forge';

import { CertsError } from './certs-error.js';

/** A certificate with the private key that belongs to it. */
export interface Credential {
  certificate: X509Certificate;
  privateKey: KeyObject;
}

/** Parses a certificate given as PEM text or DER bytes (.pem, .cer, .crt). */
export function parseCertificate(bytes: Buffer, source = 'certificate'): X509Certificate {
  try {
    return new X509Certificate(bytes);
  } catch (cause) {
    throw new CertsError('CERT_UNREADABLE', `${source}: not a PEM or DER X.509 certificate`, { cause });
  }
}

export function readCertificate(path: string): X509Certificate {
  return parseCertificate(readFile(path, 'CERT_UNREADABLE'), path);
}

/** Reads a PEM private key: PKCS#1, PKCS#8 or encrypted PKCS#8 (then `passphrase` is needed). */
export function readPrivateKey(path: string, passphrase?: string): KeyObject {
  const pem = readFile(path, 'KEY_UNREADABLE');

  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase });
  } catch (cause) {
    const hint = passphrase === undefined ? ' (if it is encrypted, give its passphrase)' : '';
    throw new CertsError('KEY_UNREADABLE', `${path}: not a readable PEM private key${hint}`, {
      cause,
    });
  }
}

/**
 * Reads a PKCS#12 file (.p12/.pfx) with node-forge, which reads both the modern AES form and
 * the legacy RC2/3DES form that certificate vendors still deliver and OpenSSL 3 refuses.
 */
export function readPkcs12(path: string, password: string): Credential {
  const der = readFile(path, 'PKCS12_UNREADABLE');

  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = decodePkcs12(der, password);
  } catch (cause) {
    throw new CertsError('PKCS12_UNREADABLE', `${path}: not a PKCS#12 file, or wrong password`, {
      cause,
    });
  }

  const keyBag = firstBag(p12, forge.pki.oids.pkcs8ShroudedKeyBag) ?? firstBag(p12, forge.pki.oids.keyBag);
  const certBag = firstBag(p12, forge.pki.oids.certBag);
  if (!keyBag?.key || !certBag?.cert) {
    throw new CertsError('PKCS12_UNREADABLE', `${path}: holds no private key and certificate pair`);
  }

  const certificate = new X509Certificate(forge.pki.certificateToPem(certBag.cert));
  const privateKey = createPrivateKey(forge.pki.privateKeyToPem(keyBag.key));
  return checkPair({ certificate, privateKey }, path);
}

/**
 * Decodes a PKCS#12 with forge. The MAC and legacy PBE keys take the password as UCS-2, as forge
 * does; modern PBES2 (PBKDF2) takes it as UTF-8 bytes, where forge uses one byte per character. So
 * a password beyond ASCII, once the MAC has verified it, is retried as UTF-8 bytes for decryption.
 */
function decodePkcs12(der: Buffer, password: string): forge.pkcs12.Pkcs12Pfx {
  const parse = () => forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  try {
    return forge.pkcs12.pkcs12FromAsn1(parse(), password);
  } catch (error) {
    const macVerified = !/MAC/.test((error as Error).message);
    if (!macVerified || /^[\x00-\x7f]*$/.test(password)) throw error;

    const withoutMac = parse();
    (withoutMac.value as forge.asn1.Asn1[]).splice(2);
    return forge.pkcs12.pkcs12FromAsn1(withoutMac, forge.util.encodeUtf8(password));
  }
}

/** Throws unless the private key belongs to the certificate. */
export function checkPair(credential: Credential, source: string): Credential {
  const fromKey = createPublicKey(credential.privateKey).export({ format: 'der', type: 'spki' });
  const fromCert = credential.certificate.publicKey.export({ format: 'der', type: 'spki' });
  if (!fromKey.equals(fromCert)) {
    throw new CertsError('KEY_CERT_MISMATCH', `${source}: the private key does not belong to the certificate`);
  }
  return credential;
}

function firstBag(p12: forge.pkcs12.Pkcs12Pfx, bagType: string): forge.pkcs12.Bag | undefined {
  return p12.getBags({ bagType })[bagType]?.[0];
}

function readFile(path: string, code: 'CERT_UNREADABLE' | 'KEY_UNREADABLE' | 'PKCS12_UNREADABLE'): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new CertsError(code, `${path}: cannot read the file (${(cause as Error).message})`, { cause });
  }
}
