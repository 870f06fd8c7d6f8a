import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sampleBundle } from '../../src/fhir/index.js';
import { SENDER_CLIENT, startHarness, type Harness } from '../support/register-harness.js';
import { lmdi } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lmdi-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


function file(name: string, content: string | object): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const PERIOD = ['--from', '2026-12-01T00:00:00+01:00', '--to', '2026-12-02T00:00:00+01:00'];

describe('lmdi validate', () => {
  it('exits 0 for a valid bundle', async () => {
    const run = await lmdi('validate', file('valid.json', sampleBundle()));
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/: valid under LMDI 1.0.7 \(0 errors/);
  });

  it('exits 1 and names the place for a bundle with errors', async () => {
    const run = await lmdi('validate', file('batch.json', { ...(sampleBundle() as object), type: 'batch' }));
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/Bundle\.type/);
  });

  it('prints an OperationOutcome with --json', async () => {
    const run = await lmdi('validate', '--json', file('batch2.json', { ...(sampleBundle() as object), type: 'batch' }));
    const outcome = JSON.parse(run.out) as { resourceType: string; issue: unknown[] };
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue.length).toBeGreaterThan(0);
  });

  it('exits 1 naming file, line and column for a file that is not JSON', async () => {
    const run = await lmdi('validate', file('broken.json', '{"resourceType": "Bundle",\n}'));
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^error \[FHIR_NOT_JSON\]: .*broken\.json.*line 2, column 1/);
  });

  it('exits 2 for a file that does not exist, and for a missing argument', async () => {
    expect((await lmdi('validate', join(dir, 'nope.json'))).code).toBe(2);
    expect((await lmdi('validate')).code).toBe(2);
  });
});

describe('lmdi certs dev, seal and open', () => {
  let certs: string;

  beforeAll(async () => {
    certs = join(dir, 'certs');
    const run = await lmdi('certs', 'dev', '--out', certs, '--org', '964100004');
    expect(run.code).toBe(0);
  });

  const sealArgs = (input: string, out: string) => [
    'seal', '--in', input, '--out', out,
    '--sender-cert', join(certs, 'sender.crt.pem'), '--sender-key', join(certs, 'sender.key.pem'),
    '--receiver-cert', join(certs, 'register.crt.pem'), ...PERIOD,
  ];
  const openArgs = (input: string, out: string) => [
    'open', '--in', input, '--out', out,
    '--receiver-cert', join(certs, 'register.crt.pem'), '--receiver-key', join(certs, 'register.key.pem'),
    '--sender-cert', join(certs, 'sender.crt.pem'),
  ];

  it('refuses an org number with a wrong check digit', async () => {
    const run = await lmdi('certs', 'dev', '--out', join(dir, 'x'), '--org', '964100005');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/OPTION_INVALID/);
  });

  it('dev refuses to replace keys already in the folder unless --force', async () => {
    const before = readFileSync(join(certs, 'sender.key.pem'), 'utf8');

    const refused = await lmdi('certs', 'dev', '--out', certs, '--org', '964100004');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/already holds .*sender\.key\.pem.*--force/);
    expect(readFileSync(join(certs, 'sender.key.pem'), 'utf8')).toBe(before);

    const other = join(dir, 'certs-forced');
    expect((await lmdi('certs', 'dev', '--out', other, '--org', '964100004')).code).toBe(0);
    expect((await lmdi('certs', 'dev', '--out', other, '--org', '964100004', '--force')).code).toBe(0);
  });

  it('inspect prints the organisation number and thumbprint', async () => {
    const run = await lmdi('certs', 'inspect', join(certs, 'sender.crt.pem'));
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/organisation 964100004/);
    expect(run.out).toMatch(/thumbprint +[0-9A-F]{40}/);
  });

  it('seals a bundle and opens it back to the same bytes', async () => {
    const input = file('to-seal.json', sampleBundle());
    const sealed = join(dir, 'sealed.json');
    const opened = join(dir, 'opened.json');

    expect((await lmdi(...sealArgs(input, sealed))).code).toBe(0);
    const envelope = JSON.parse(readFileSync(sealed, 'utf8')) as Record<string, string>;
    expect(Object.keys(envelope)[0]).toBe('messageId');
    expect(envelope.senderOrganizationIdentifier).toBe('964100004');

    const run = await lmdi(...openArgs(sealed, opened));
    expect(run.code).toBe(0);
    expect(readFileSync(opened, 'utf8')).toBe(readFileSync(input, 'utf8'));
  });

  it('refuses to seal an invalid bundle and writes nothing', async () => {
    const out = join(dir, 'never.json');
    const run = await lmdi(...sealArgs(file('invalid.json', { resourceType: 'Bundle', type: 'batch' }), out));
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/BUNDLE_INVALID/);
    expect(() => readFileSync(out)).toThrow();
  });

  it('open exits 1 naming the failed check for a tampered envelope', async () => {
    const sealed = join(dir, 'sealed2.json');
    await lmdi(...sealArgs(file('to-seal2.json', sampleBundle()), sealed));
    const envelope = JSON.parse(readFileSync(sealed, 'utf8')) as Record<string, string>;
    const bytes = Buffer.from(envelope.encryptedContent ?? '', 'base64');
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    const tampered = file('tampered.json', { ...envelope, encryptedContent: bytes.toString('base64') });

    const run = await lmdi(...openArgs(tampered, join(dir, 'out.json')));
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^error \[ENVELOPE_SIGNATURE_INVALID\]/);
  });

  it('open names a receiver key that is not the receiver certificate’s, not the envelope', async () => {
    const sealed = join(dir, 'sealed3.json');
    await lmdi(...sealArgs(file('to-seal3.json', sampleBundle()), sealed));
    const args = openArgs(sealed, join(dir, 'out3.json'));
    args[args.indexOf('--receiver-key') + 1] = join(certs, 'sender.key.pem');

    const run = await lmdi(...args);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^error \[KEY_CERT_MISMATCH\]/);
  });

  it('seal refuses to write over its own input', async () => {
    const input = file('same.json', sampleBundle());
    const before = readFileSync(input, 'utf8');

    const run = await lmdi(...sealArgs(input, input));

    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--out must not be the --in file/);
    expect(readFileSync(input, 'utf8')).toBe(before);
  });

  it('seal refuses sender credentials given twice', async () => {
    const run = await lmdi(...sealArgs(file('both.json', sampleBundle()), join(dir, 'both.out.json')), '--sender-p12', join(certs, 'sender.p12'));
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/not both/);
  });

  it('seal validates against the LMDI version asked for', async () => {
    const run = await lmdi(...sealArgs(file('ig.json', { resourceType: 'Bundle', type: 'batch' }), join(dir, 'ig.out.json')), '--ig', '1.1');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/does not conform to LMDI 1\.1/);
  });

  it('seal asks for the sender credentials when none are given', async () => {
    const run = await lmdi('seal', '--in', file('s.json', sampleBundle()), '--out', join(dir, 'o.json'), '--receiver-cert', join(certs, 'register.crt.pem'), ...PERIOD);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--sender-p12/);
  });
});

describe('lmdi send', () => {
  let harness: Harness;
  let envelopePath: string;
  let keyPath: string;

  beforeAll(async () => {
    harness = await startHarness();
    envelopePath = file('harness-envelope.json', harness.sealBundle(sampleBundle()));
    keyPath = file('client.jwk.json', harness.senderClientKey);
  });
  afterAll(() => harness.close());

  const target = () => ['--api', harness.receiver.url, '--issuer', harness.authority.issuer, '--client-id', SENDER_CLIENT, '--client-key', keyPath];

  it('delivers an envelope and prints the register’s answer', async () => {
    const run = await lmdi('send', envelopePath, ...target());
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^HTTP 200: accepted/);
    expect(run.out).toMatch(/\(18 per-resource receipts; --json prints them\)/);
    expect(harness.store.countMessages()).toBe(1);
  });

  it('prints the whole OperationOutcome with --json', async () => {
    const run = await lmdi('send', envelopePath, ...target(), '--json');
    const printed = JSON.parse(run.out) as { httpStatus: number; outcome: { issue: unknown[] } };

    expect(printed.httpStatus).toBe(200);
    expect(printed.outcome.issue).toHaveLength(19);
  });

  it('exits 1 when the register refuses', async () => {
    const envelope = JSON.parse(readFileSync(envelopePath, 'utf8')) as object;
    const run = await lmdi('send', file('unknown-sender.json', { ...envelope, signatureCertificateThumbprint: 'AB'.repeat(20) }), ...target());
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/HTTP 400: refused/);
    expect(run.out).toMatch(/ENVELOPE_UNKNOWN_SIGNATURE_CERT/);
  });

  it('resends after a failure in transit, then gives up with DELIVERY_FAILED', async () => {
    const closedApi = 'http://127.0.0.1:9/fhirmottak/v1';
    const run = await lmdi('send', envelopePath, '--api', closedApi, '--issuer', harness.authority.issuer, '--client-id', SENDER_CLIENT, '--client-key', keyPath, '--retries', '1', '--retry-delay', '0');

    expect(run.code).toBe(1);
    expect(run.err).toMatch(/attempt 1 failed \(API_UNREACHABLE: the API at http:\/\/127\.0\.0\.1:9 is unreachable/);
    expect(run.err).toMatch(/trying again in 0 s/);
    expect(run.err).toMatch(/error \[DELIVERY_FAILED\]: delivery failed after 2 attempts/);
  });

  it('checks the envelope before going to the network', async () => {
    const notJson = await lmdi('send', file('notjson.txt', 'Pasient Kari'), ...target());
    const plainBundle = await lmdi('send', file('plain-bundle.json', sampleBundle()), ...target());

    expect(notJson.code).toBe(1);
    expect(notJson.err).toMatch(/^error \[INPUT_NOT_JSON\]: .*notjson\.txt is not JSON$/);
    expect(notJson.err).not.toMatch(/Kari/);
    expect(plainBundle.code).toBe(1);
    expect(plainBundle.err).toMatch(/ENVELOPE_/);
  });

  it('refuses a client key that is not a private JWK', async () => {
    const run = await lmdi('send', envelopePath, '--api', harness.receiver.url, '--issuer', harness.authority.issuer, '--client-id', SENDER_CLIENT, '--client-key', file('public.jwk.json', { kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }));
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/HELSEID_KEY_INVALID/);
  });

  it('refuses an API address that is not a URL', async () => {
    const run = await lmdi('send', envelopePath, '--api', 'register.example', '--issuer', harness.authority.issuer, '--client-id', 'x', '--client-key', keyPath);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--api must be an http\(s\) URL/);
  });

  it('needs an environment or both URLs', async () => {
    const run = await lmdi('send', envelopePath, '--client-id', 'x', '--client-key', keyPath, '--env', 'staging');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--env must be test or prod/);
  });
});

describe('lmdi demo and the installed command', () => {
  it('demo --json prints messageId, httpStatus and stored', async () => {
    const run = await lmdi('demo', '--json', '--dir', join(dir, 'demo'));
    expect(run.code).toBe(0);
    const result = JSON.parse(run.out) as { messageId: string; httpStatus: number; stored: Record<string, number> };
    expect(result.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.httpStatus).toBe(200);
    expect(result.stored.MedicationAdministration).toBe(5);
  });

  it('demo --json prints the error as JSON too, with the findings', async () => {
    const run = await lmdi('demo', '--json', '--dir', join(dir, 'demo'), '--input', file('put.json', { ...(sampleBundle() as object), type: 'batch' }));
    const printed = JSON.parse(run.out) as { error: { code: string; issues: { location: string }[] } };

    expect(run.code).toBe(1);
    expect(printed.error.code).toBe('BUNDLE_INVALID');
    expect(printed.error.issues.map((issue) => issue.location)).toContain('Bundle.type');
  });

  it('--version prints the package version', async () => {
    const run = await lmdi('--version');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('bin/lmdi.js runs the built CLI', () => {
    const run = spawnSync(process.execPath, ['bin/lmdi.js', '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/demo/);
  });
});
