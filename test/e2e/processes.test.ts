// The parts run as a user runs them: `lmdi authority` and `lmdi serve` as separate processes,
// configured from the files `lmdi demo` leaves in its work folder; `lmdi seal` and `lmdi send`
// deliver to them.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openWorkspace } from '../../src/demo/index.js';
import { sampleBundle } from '../../src/fhir/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { lmdi } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lmdi-processes-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `lmdi …` and resolves with the first stdout line that matches `ready`. */
function startLmdi(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, ['bin/lmdi.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);

  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const match = line.match(ready);
      if (match) resolve({ child, match });
    });
    child.once('exit', (code) => reject(new Error(`lmdi ${args[0]} exited with ${code}`)));
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}


describe('lmdi authority and lmdi serve as processes', () => {
  let issuer: string;
  let apiUrl: string;
  let receiver: ChildProcess;

  beforeAll(async () => {
    await openWorkspace(dir);

    const authority = await startLmdi(['authority', '--clients', join(dir, 'authority-clients.json')], /^HelseID stand-in at (http:\S+)/);
    issuer = authority.match[1] ?? '';

    const config = JSON.parse(readFileSync(join(dir, 'receiver.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'receiver.json'), JSON.stringify({ ...config, issuer, port: 0 }));
    const served = await startLmdi(['serve', '--config', join(dir, 'receiver.json')], /^receiver listening at (http:\S+)/);
    apiUrl = served.match[1] ?? '';
    receiver = served.child;
  });

  it('seal and send deliver to them, and the receiver stores into its SQLite file', async () => {
    const bundle = join(dir, 'bundle.json');
    writeFileSync(bundle, JSON.stringify(sampleBundle()));
    const envelope = join(dir, 'envelope.json');
    const manifest = JSON.parse(readFileSync(join(dir, 'workspace.json'), 'utf8')) as { clientId: string };

    const sealed = await lmdi('seal', '--in', bundle, '--out', envelope,
      '--sender-cert', join(dir, 'sender.crt.pem'), '--sender-key', join(dir, 'sender.key.pem'),
      '--receiver-cert', join(dir, 'register.crt.pem'),
      '--from', '2026-12-01T00:00:00+01:00', '--to', '2026-12-02T00:00:00+01:00');
    expect(sealed.code).toBe(0);

    const sent = await lmdi('send', envelope, '--api', apiUrl, '--issuer', issuer,
      '--client-id', manifest.clientId, '--client-key', join(dir, 'helseid-client.jwk.json'));
    expect(sent.err + sent.out).toMatch(/^HTTP 200: accepted/);
    expect(sent.code).toBe(0);

    const messageId = (JSON.parse(readFileSync(envelope, 'utf8')) as { messageId: string }).messageId;
    const store = new SqliteStore(join(dir, 'register.sqlite'));
    try {
      expect(store.countResourcesByType(messageId).MedicationAdministration).toBe(5);
    } finally {
      store.close();
    }
  });

  it('serve stops cleanly on SIGTERM', async () => {
    const exited = exitOf(receiver);
    receiver.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('lmdi serve and lmdi authority refuse bad configuration', () => {
  it('names what is missing from the receiver configuration', async () => {
    const config = join(dir, 'incomplete.json');
    writeFileSync(config, JSON.stringify({ database: 'x.sqlite' }));
    const run = await lmdi('serve', '--config', config);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/CONFIG_INVALID.*missing issuer, registerCredentials, senders/);
  });

  /** The demo folder's receiver.json with `change` applied, written beside it. */
  function variant(name: string, change: (config: Record<string, any>) => unknown): string {
    const config = JSON.parse(readFileSync(join(dir, 'receiver.json'), 'utf8')) as Record<string, any>;
    const path = join(dir, name);
    const changed = change(config);
    writeFileSync(path, JSON.stringify(changed === undefined ? config : changed));
    return path;
  }

  it.each([
    ['a register key that is not the certificate’s', (c: Record<string, any>) => { c.registerCredentials[0].key = 'sender.key.pem'; }, /KEY_CERT_MISMATCH/],
    ['a sender whose certificate names another organisation', (c: Record<string, any>) => { c.senders[0].orgNumber = '974200007'; }, /belongs to organisation 964100004, not 974200007/],
    ['an organisation number with a wrong check digit', (c: Record<string, any>) => { c.senders[0].orgNumber = '964100005'; }, /orgNumber must be a valid/],
    ['the same certificate for two senders', (c: Record<string, any>) => { c.senders.push({ ...c.senders[0], clientId: 'another' }); }, /listed for more than one sender/],
    ['an unknown setting', (c: Record<string, any>) => { c.databse = 'x'; }, /unknown setting databse/],
    ['an issuer that is not a URL', (c: Record<string, any>) => { c.issuer = 'not a url'; }, /issuer must be an http\(s\) URL/],
    ['a port that is not a number', (c: Record<string, any>) => { c.port = 'eighty'; }, /port must be a whole number/],
    ['an unknown implementation guide version', (c: Record<string, any>) => { c.ig = '2.0'; }, /ig must be 1\.0\.7 or 1\.1/],
    ['a bundle limit that is not a size', (c: Record<string, any>) => { c.maxBundleBytes = -1; }, /maxBundleBytes must be a positive whole number/],
    ['null instead of an object', () => null, /must hold a JSON object/],
    ['a database in a folder that does not exist', (c: Record<string, any>) => { c.database = 'no/such/folder/r.sqlite'; }, /cannot open the database .*r\.sqlite/],
  ])('refuses to start with %s', async (name, change, message) => {
    const run = await lmdi('serve', '--config', variant(`${name.replace(/\W+/g, '-')}.json`, change as (c: Record<string, any>) => unknown));
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
  });

  it('refuses a configuration that is not JSON', async () => {
    const config = join(dir, 'broken.json');
    writeFileSync(config, '{ database: ');
    const run = await lmdi('serve', '--config', config);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/CONFIG_INVALID/);
  });

  it('refuses an authority clients file without a clients array', async () => {
    const clients = join(dir, 'clients.json');
    writeFileSync(clients, JSON.stringify({ client: [] }));
    const run = await lmdi('authority', '--clients', clients);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/CONFIG_INVALID.*clients/);
  });

  it('refuses a port that is not a number', async () => {
    const run = await lmdi('authority', '--clients', 'x.json', '--port', 'eighty');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/not a port number/);
  });
});
