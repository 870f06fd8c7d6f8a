import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';

import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  certificateWarnings,
  checkPublishedRegisterCertificate,
  createDevCertificates,
  orgNumberOf,
  parseCertificate,
  pkcs12Password,
  readCertificate,
  readPkcs12,
  readPrivateKey,
  sameThumbprint,
  summarizeCertificate,
  thumbprint,
} from '../../src/certs/index.js';
import { OpensslWorkspace } from './openssl.js';

const ws = new OpensslWorkspace();
afterAll(() => ws.remove());

const SEID2 = '/C=NO/O=Fjordvik kommune/CN=Fjordvik kommune/organizationIdentifier=NTRNO-974760673';
const SEID1 = '/C=NO/O=Fjordvik kommune/CN=Fjordvik kommune/serialNumber=974760673';
const SIGNING = 'keyUsage=critical,digitalSignature,nonRepudiation';
const ENCIPHERING = 'keyUsage=critical,keyEncipherment,dataEncipherment';

let seid2: [string, string];
beforeAll(() => {
  seid2 = ws.selfSigned('seid2', SEID2, { extensions: [SIGNING] });
});

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('organisation number from the subject', () => {
  it('SEID 2: organizationIdentifier NTRNO-<9 digits>', () => {
    expect(orgNumberOf(readCertificate(seid2[0]))).toBe('974760673');
  });

  it('SEID 1: serialNumber <9 digits>', () => {
    const [cert] = ws.selfSigned('seid1', SEID1);
    expect(orgNumberOf(readCertificate(cert))).toBe('974760673');
  });

  it('refuses a number with a wrong mod-11 check digit, and a subject without one', () => {
    const [bad] = ws.selfSigned('badcheck', '/C=NO/CN=x/organizationIdentifier=NTRNO-974760674');
    expect(codeOf(() => orgNumberOf(readCertificate(bad)))).toBe('CERT_BAD_ORG_NUMBER');
    const [none] = ws.selfSigned('none', '/C=NO/CN=no number/serialNumber=12345');
    expect(codeOf(() => orgNumberOf(readCertificate(none)))).toBe('CERT_NO_ORG_NUMBER');
  });
});

describe('thumbprint', () => {
  it('is the SHA-1 of the DER as 40 upper-case hex digits, the same as openssl prints', () => {
    const fingerprint = ws.run('x509', '-in', seid2[0], '-noout', '-fingerprint', '-sha1').toString();
    const expected = fingerprint.split('=')[1]!.trim().replaceAll(':', '');
    expect(thumbprint(readCertificate(seid2[0]))).toBe(expected);
    expect(expected).toMatch(/^[0-9A-F]{40}$/);
  });

  it('compares case-insensitively and ignores separators', () => {
    const value = thumbprint(readCertificate(seid2[0]));
    expect(sameThumbprint(value.toLowerCase(), value)).toBe(true);
    expect(sameThumbprint(value.match(/../g)!.join(':'), value)).toBe(true);
    expect(sameThumbprint('0'.repeat(40), value)).toBe(false);
  });
});

describe('reading certificates and keys', () => {
  it('reads PEM and DER certificates, and refuses other bytes', () => {
    ws.run('x509', '-in', seid2[0], '-outform', 'DER', '-out', ws.path('seid2.cer'));
    expect(thumbprint(readCertificate(ws.path('seid2.cer')))).toBe(thumbprint(readCertificate(seid2[0])));
    expect(codeOf(() => parseCertificate(Buffer.from('not a certificate')))).toBe('CERT_UNREADABLE');
    expect(codeOf(() => readCertificate(ws.path('missing.pem')))).toBe('CERT_UNREADABLE');
  });

  it('reads PKCS#1, PKCS#8 and encrypted PKCS#8 PEM keys', () => {
    ws.run('genrsa', '-traditional', '-out', 'pkcs1.pem', '2048');
    expect(readFileSync(ws.path('pkcs1.pem'), 'utf8')).toContain('BEGIN RSA PRIVATE KEY');
    expect(readPrivateKey(ws.path('pkcs1.pem')).asymmetricKeyType).toBe('rsa');

    ws.run('pkcs8', '-topk8', '-nocrypt', '-in', 'pkcs1.pem', '-out', 'pkcs8.pem');
    expect(readPrivateKey(ws.path('pkcs8.pem')).asymmetricKeyType).toBe('rsa');

    ws.run('pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', 'pkcs1.pem', '-out', 'enc.pem', '-passout', 'pass:s3cret');
    expect(readFileSync(ws.path('enc.pem'), 'utf8')).toContain('BEGIN ENCRYPTED PRIVATE KEY');
    expect(readPrivateKey(ws.path('enc.pem'), 's3cret').asymmetricKeyType).toBe('rsa');
    expect(codeOf(() => readPrivateKey(ws.path('enc.pem')))).toBe('KEY_UNREADABLE');
    expect(codeOf(() => readPrivateKey(ws.path('enc.pem'), 'wrong'))).toBe('KEY_UNREADABLE');
  });
});

describe('PKCS#12 made by openssl pkcs12 -export', () => {
  for (const legacy of [false, true]) {
    for (const password of ['changeit', 'pass word æ']) {
      it(`reads the ${legacy ? 'legacy (-legacy: RC2/3DES)' : 'modern (AES-256, PBKDF2)'} form, password "${password}"`, () => {
        const file = ws.pkcs12(legacy ? 'legacy' : 'modern', seid2[0], seid2[1], password, legacy);
        const credential = readPkcs12(file, password);
        expect(thumbprint(credential.certificate)).toBe(thumbprint(readCertificate(seid2[0])));
        expect(orgNumberOf(credential.certificate)).toBe('974760673');
        expect(credential.privateKey.asymmetricKeyType).toBe('rsa');
        expect(codeOf(() => readPkcs12(file, `${password}x`))).toBe('PKCS12_UNREADABLE');
      });
    }
  }

  it('refuses a wrong password, a file without a key, and a file that is not PKCS#12', () => {
    const file = ws.pkcs12('pw', seid2[0], seid2[1], 'right', false);
    expect(codeOf(() => readPkcs12(file, 'wrong'))).toBe('PKCS12_UNREADABLE');

    ws.run('pkcs12', '-export', '-nokeys', '-in', seid2[0], '-out', ws.path('nokey.p12'), '-passout', 'pass:x');
    expect(codeOf(() => readPkcs12(ws.path('nokey.p12'), 'x'))).toBe('PKCS12_UNREADABLE');
    expect(codeOf(() => readPkcs12(seid2[0], 'x'))).toBe('PKCS12_UNREADABLE');
  });

  it('refuses a key that does not belong to the certificate', () => {
    // openssl refuses to pair them, so forge writes the mismatched file.
    const [, otherKey] = ws.selfSigned('other', SEID2);
    const certificate = forge.pki.certificateFromPem(readFileSync(seid2[0], 'utf8'));
    const key = forge.pki.privateKeyFromPem(readFileSync(otherKey, 'utf8'));
    const asn1 = forge.pkcs12.toPkcs12Asn1(key, [certificate], 'x', { algorithm: 'aes256' });
    writeFileSync(ws.path('mismatch.p12'), Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
    expect(codeOf(() => readPkcs12(ws.path('mismatch.p12'), 'x'))).toBe('KEY_CERT_MISMATCH');
  });
});

describe('certificate warnings', () => {
  // Evaluated after the certificate is made: its notBefore is that moment, rounded down to a second.
  const now = () => new Date();
  const day = 86_400_000;

  it('none for a fresh 2048-bit signing certificate used by a sender', () => {
    expect(certificateWarnings(readCertificate(seid2[0]), 'sender', now())).toEqual([]);
  });

  it('expired and not yet valid', () => {
    const certificate = readCertificate(seid2[0]);
    expect(certificateWarnings(certificate, 'sender', new Date(now().getTime() + 60 * day)).map((w) => w.code)).toEqual(['CERT_EXPIRED']);
    expect(certificateWarnings(certificate, 'sender', new Date(now().getTime() - day)).map((w) => w.code)).toEqual(['CERT_NOT_YET_VALID']);
  });

  it('key usage that does not allow signing (sender) or key encipherment (register)', () => {
    const signing = readCertificate(seid2[0]);
    const [enc] = ws.selfSigned('enc', SEID2, { extensions: [ENCIPHERING] });
    const enciphering = readCertificate(enc);

    expect(certificateWarnings(signing, 'register', now()).map((w) => w.code)).toEqual(['CERT_KEY_USAGE']);
    expect(certificateWarnings(enciphering, 'sender', now()).map((w) => w.code)).toEqual(['CERT_KEY_USAGE']);
    expect(certificateWarnings(enciphering, 'register', now())).toEqual([]);
  });

  it('an RSA key shorter than 2048 bits, and a key that is not RSA', () => {
    const [short] = ws.selfSigned('short', SEID2, { key: 'rsa:1024' });
    expect(certificateWarnings(readCertificate(short), 'sender', now()).map((w) => w.code)).toEqual(['CERT_RSA_TOO_SHORT']);
    const [ec] = ws.selfSigned('ec', SEID2, { key: 'ec' });
    expect(certificateWarnings(readCertificate(ec), 'sender', now()).map((w) => w.code)).toEqual(['CERT_NOT_RSA']);
  });

  it('summarizes subject, organisation number, validity, key size, key usages and thumbprint', () => {
    const summary = summarizeCertificate(readCertificate(seid2[0]));
    expect(summary.subject).toContain('organizationIdentifier=NTRNO-974760673');
    expect(summary.orgNumber).toEqual({ value: '974760673' });
    expect(summary.keySize).toBe(2048);
    expect(summary.keyUsages).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(summary.validTo.getTime()).toBeGreaterThan(summary.validFrom.getTime());
  });
});

describe('the published register certificate', () => {
  it('accepts the published thumbprint in any case, refuses another unless allowed', () => {
    const certificate = readCertificate(seid2[0]);
    const mine = { environment: 'test', thumbprint: thumbprint(certificate).toLowerCase() };
    expect(() => checkPublishedRegisterCertificate(certificate, mine)).not.toThrow();

    const published = { environment: 'test', thumbprint: 'EDAC21AAF1AAF5DEFFDF6EDE4D4F6029015C6086' };
    expect(codeOf(() => checkPublishedRegisterCertificate(certificate, published))).toBe('CERT_NOT_PUBLISHED_REGISTER');
    expect(() => checkPublishedRegisterCertificate(certificate, published, true)).not.toThrow();
  });
});

describe('dev certificates', () => {
  it('a CA-signed SEID-2 sender (signing) and register (key encipherment), as PEM and PKCS#12', () => {
    const made = createDevCertificates({ senderOrgNumber: '974760673', p12Password: 'pw' });
    const ca = new X509Certificate(made.caCertPem);
    const sender = new X509Certificate(made.senderCertPem);
    const register = new X509Certificate(made.registerCertPem);

    expect(sender.verify(ca.publicKey)).toBe(true);
    expect(register.verify(ca.publicKey)).toBe(true);
    expect(orgNumberOf(sender)).toBe('974760673');
    expect(sender.subject).toContain('organizationIdentifier=NTRNO-974760673');
    expect(certificateWarnings(sender, 'sender')).toEqual([]);
    expect(certificateWarnings(register, 'register')).toEqual([]);

    for (const [p12, cert] of [[made.senderP12, sender], [made.registerP12, register]] as const) {
      writeFileSync(ws.path('dev.p12'), p12);
      expect(thumbprint(readPkcs12(ws.path('dev.p12'), 'pw').certificate)).toBe(thumbprint(cert));
      // openssl reads what we write, too.
      expect(ws.run('pkcs12', '-in', ws.path('dev.p12'), '-passin', 'pass:pw', '-nokeys').toString()).toContain('BEGIN CERTIFICATE');
    }
  });
});

describe('the PKCS#12 password', () => {
  it('comes from LMDI_P12_PASSWORD first', async () => {
    expect(await pkcs12Password('x.p12', { LMDI_P12_PASSWORD: 'from env' }, fakeTerminal(true).terminal)).toBe('from env');
  });

  it('is asked for on a terminal, without echo, with backspace', async () => {
    const { terminal, typed, raw } = fakeTerminal(true);
    const answer = pkcs12Password('x.p12', {}, terminal);
    terminal.input.write('sec\u007fcret\r');
    expect(await answer).toBe('secret');
    expect(typed()).toBe('Password for x.p12: \n');
    expect(raw).toEqual([true, false]);
  });

  it('is refused when cancelled, or when there is no terminal', async () => {
    const { terminal } = fakeTerminal(true);
    const answer = pkcs12Password('x.p12', {}, terminal);
    terminal.input.write('\u0003');
    await expect(answer).rejects.toMatchObject({ code: 'PKCS12_PASSWORD_MISSING' });
    await expect(pkcs12Password('x.p12', {}, fakeTerminal(false).terminal)).rejects.toMatchObject({ code: 'PKCS12_PASSWORD_MISSING' });
  });
});

function fakeTerminal(isTTY: boolean) {
  const raw: boolean[] = [];
  const input = Object.assign(new PassThrough(), { isTTY, setRawMode: (mode: boolean) => raw.push(mode) });
  let written = '';
  const output = new Writable({ write: (chunk, _encoding, callback) => ((written += chunk.toString()), callback()) });
  return { terminal: { input, output }, typed: () => written, raw };
}
