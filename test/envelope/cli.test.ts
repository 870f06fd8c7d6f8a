// The seal/open/certs commands end to end, in-process, against files in a temp folder.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { sampleBundle } from '../../src/fhir/index.js';
import { lmdi } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lmdi-cli-'));
const certs = join(dir, 'certs');
const bundle = join(dir, 'bundle.json');
const savedPassword = process.env.LMDI_P12_PASSWORD;

afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  if (savedPassword === undefined) delete process.env.LMDI_P12_PASSWORD;
  else process.env.LMDI_P12_PASSWORD = savedPassword;
});


const sealArgs = (out: string, ...extra: string[]) => [
  'seal', '--in', bundle, '--out', out, '--receiver-cert', join(certs, 'register.crt.pem'),
  '--from', '2025-01-01T00:00:00+01:00', '--to', '2025-01-31T23:59:59+01:00', ...extra,
];
const pemSender = ['--sender-cert', join(certs, 'sender.crt.pem'), '--sender-key', join(certs, 'sender.key.pem')];
const openArgs = (input: string, out: string) => [
  'open', '--in', input, '--out', out, '--receiver-cert', join(certs, 'register.crt.pem'),
  '--receiver-key', join(certs, 'register.key.pem'), '--sender-cert', join(certs, 'sender.crt.pem'),
];

beforeAll(async () => {
  process.env.LMDI_P12_PASSWORD = 'dev pw';
  const made = await lmdi('certs', 'dev', '--out', certs, '--org', '974760673');
  expect(made.code).toBe(0);
  writeFileSync(bundle, JSON.stringify(sampleBundle(), null, 2));
});

describe('lmdi certs', () => {
  it('dev writes a CA, sender and register certificates as PEM and PKCS#12', () => {
    expect(readdirSync(certs).sort()).toEqual(
      ['dev-ca.crt.pem', 'register.crt.pem', 'register.key.pem', 'register.p12', 'sender.crt.pem', 'sender.key.pem', 'sender.p12'],
    );
  });

  it('inspect prints subject, organisation number, validity, key size, key usages and thumbprint', async () => {
    const result = await lmdi('certs', 'inspect', join(certs, 'sender.crt.pem'));
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/subject +.*organizationIdentifier=NTRNO-974760673/);
    expect(result.out).toMatch(/organisation 974760673/);
    expect(result.out).toMatch(/valid +\d{4}-\d\d-\d\dT.* \.\. \d{4}-/);
    expect(result.out).toMatch(/key +rsa 2048 bits/);
    expect(result.out).toMatch(/key usage +digitalSignature, nonRepudiation/);
    expect(result.out).toMatch(/thumbprint +[0-9A-F]{40}/);
    expect(result.err).toBe('');
  });

  it('inspect warns when the key usage does not fit the role', async () => {
    const result = await lmdi('certs', 'inspect', '--role', 'register', join(certs, 'sender.crt.pem'));
    expect(result.err).toContain('warning [CERT_KEY_USAGE]');
  });

  it('inspect reads a PKCS#12 with the password from LMDI_P12_PASSWORD', async () => {
    process.env.LMDI_P12_PASSWORD = 'dev pw';
    const result = await lmdi('certs', 'inspect', join(certs, 'register.p12'));
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/key usage +keyEncipherment, dataEncipherment/);
  });

  it('inspect refuses a PKCS#12 without a password when there is no terminal to ask on', async () => {
    delete process.env.LMDI_P12_PASSWORD;
    const result = await lmdi('certs', 'inspect', join(certs, 'sender.p12'));
    expect(result.code).not.toBe(0);
    expect(result.err).toContain('[PKCS12_PASSWORD_MISSING]');
  });
});

describe('lmdi seal and open', () => {
  it('seal with PEM sender keys, open back to the same bytes', async () => {
    const envelope = join(dir, 'pem.envelope.json');
    const sealed = await lmdi(...sealArgs(envelope, ...pemSender));
    expect(sealed.err).toBe('');
    expect(sealed.code).toBe(0);

    const opened = await lmdi(...openArgs(envelope, join(dir, 'pem.opened.json')));
    expect(opened.code).toBe(0);
    expect(opened.out).toContain('signature and tag valid');
    expect(readFileSync(join(dir, 'pem.opened.json'))).toEqual(readFileSync(bundle));
  });

  it('seal with a PKCS#12 sender whose password is in LMDI_P12_PASSWORD', async () => {
    process.env.LMDI_P12_PASSWORD = 'dev pw';
    const envelope = join(dir, 'p12.envelope.json');
    expect((await lmdi(...sealArgs(envelope, '--sender-p12', join(certs, 'sender.p12')))).code).toBe(0);
    expect((await lmdi(...openArgs(envelope, join(dir, 'p12.opened.json')))).code).toBe(0);
  });

  it('seal --env test refuses a receiver certificate that is not the published TEST one', async () => {
    const envelope = join(dir, 'env.envelope.json');
    const refused = await lmdi(...sealArgs(envelope, '--env', 'test', ...pemSender));
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('[CERT_NOT_PUBLISHED_REGISTER]');
    expect(refused.err).toContain('EDAC21AAF1AAF5DEFFDF6EDE4D4F6029015C6086');
    expect(existsSync(envelope)).toBe(false);

    const allowed = await lmdi(...sealArgs(envelope, '--env', 'test', '--allow-other-register-cert', ...pemSender));
    expect(allowed.code).toBe(0);
    expect(allowed.err).toContain('warning [CERT_NOT_PUBLISHED_REGISTER]');
    expect(existsSync(envelope)).toBe(true);
  });

  it('seal refuses an unknown --env', async () => {
    const result = await lmdi(...sealArgs(join(dir, 'x.json'), '--env', 'staging', ...pemSender));
    expect(result.code).toBe(2);
    expect(result.err).toContain('[OPTION_INVALID]');
  });

  it('open refuses a tampered envelope with its code, writing nothing', async () => {
    const envelope = join(dir, 'tamper.envelope.json');
    await lmdi(...sealArgs(envelope, ...pemSender));
    const parsed = JSON.parse(readFileSync(envelope, 'utf8'));
    const tag = Buffer.from(parsed.authenticationTag, 'base64');
    tag[0]! ^= 1;
    writeFileSync(envelope, JSON.stringify({ ...parsed, authenticationTag: tag.toString('base64') }));

    const out = join(dir, 'tamper.opened.json');
    const result = await lmdi(...openArgs(envelope, out));
    expect(result.code).toBe(1);
    expect(result.err).toContain('error [ENVELOPE_TAG_INVALID]');
    expect(existsSync(out)).toBe(false);
  });

  it('open refuses an envelope from an unknown sender', async () => {
    const envelope = join(dir, 'pem.envelope.json');
    const result = await lmdi(
      'open', '--in', envelope, '--out', join(dir, 'unknown.json'), '--receiver-cert', join(certs, 'register.crt.pem'),
      '--receiver-key', join(certs, 'register.key.pem'), '--sender-cert', join(certs, 'register.crt.pem'),
    );
    expect(result.err).toContain('[ENVELOPE_UNKNOWN_SIGNATURE_CERT]');
  });
});
