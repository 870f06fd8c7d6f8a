import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { DemoError, openWorkspace, runDemo } from '../../src/demo/index.js';
import { sampleBundle } from '../../src/fhir/index.js';
import { SAMPLE_STORED_BY_TYPE } from '../support/register-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'lmdi-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lmdi demo: the whole chain on this machine', () => {
  it('delivers the built-in sample over real HTTP and stores every resource by type', async () => {
    const lines: string[] = [];
    const result = await runDemo({ dir, log: (line) => lines.push(line) });

    expect(result.delivery.httpStatus).toBe(200);
    expect(result.delivery.accepted).toBe(true);
    expect(result.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.stored).toEqual(SAMPLE_STORED_BY_TYPE);
    expect(result.messagesInStore).toBe(1);
    expect(lines[0]).toMatch(/^created work folder/);
    expect(lines.some((line) => line.startsWith('delivered: HTTP 200'))).toBe(true);
  });

  it('keeps private keys readable by the owner only', () => {
    for (const file of ['sender.key.pem', 'register.key.pem', 'sender.p12', 'helseid-client.jwk.json', 'register.sqlite']) {
      expect(statSync(join(dir, file)).mode & 0o777, file).toBe(0o600);
    }
  });

  it('reuses the work folder and its register on a second run', async () => {
    const lines: string[] = [];
    const result = await runDemo({ dir, log: (line) => lines.push(line) });

    expect(lines[0]).toMatch(/^reusing work folder/);
    expect(result.delivery.accepted).toBe(true);
    expect(result.messagesInStore).toBe(2);
  });

  it('validates at both ends against the LMDI version asked for', async () => {
    const lines: string[] = [];
    const result = await runDemo({ dir, ig: '1.1', log: (line) => lines.push(line) });

    expect(result.delivery.accepted).toBe(true);
    expect(lines).toContain('validated against LMDI 1.1: no errors, 0 warnings');
  });

  it('delivers a bundle from --input, sealing the file’s own bytes', async () => {
    const input = join(dir, 'input.json');
    writeFileSync(input, JSON.stringify(sampleBundle(), null, 2));

    const result = await runDemo({ dir, input });

    expect(result.delivery.accepted).toBe(true);
    expect(Object.values(result.stored).reduce((a, b) => a + b, 0)).toBe(18);
  });
});

describe('lmdi demo: bad input is refused before anything is sent', () => {
  async function refusal(content: string): Promise<DemoError | Error> {
    const input = join(dir, `bad-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(input, content);
    return runDemo({ dir, input }).then(
      () => new Error('expected a refusal'),
      (error: Error) => error,
    );
  }

  it('names the file, line and column of a JSON syntax error', async () => {
    const error = await refusal('{\n  "resourceType": "Bundle",\n  "type": }');
    expect((error as DemoError).code).toBe('FHIR_NOT_JSON');
    expect(error.message).toMatch(/bad-.*\.json.*line 3, column/);
  });

  it('refuses a bundle that is not a transaction', async () => {
    const bundle = { ...(sampleBundle() as object), type: 'collection' };
    const error = await refusal(JSON.stringify(bundle));

    expect(error).toBeInstanceOf(DemoError);
    expect((error as DemoError).code).toBe('BUNDLE_INVALID');
    expect((error as DemoError).issues.map((issue) => issue.location)).toContain('Bundle.type');
  });

  it('refuses an entry whose request method is not POST, naming the entry', async () => {
    const bundle = sampleBundle() as { entry: { request: { method: string } }[] };
    const third = bundle.entry[2];
    if (!third) throw new Error('sample too small');
    third.request.method = 'PUT';
    const error = (await refusal(JSON.stringify(bundle))) as DemoError;

    expect(error.code).toBe('BUNDLE_INVALID');
    expect(error.issues.map((issue) => issue.location)).toContain('Bundle.entry[2].request.method');
  });

  it('refuses an input file that does not exist', async () => {
    const error = await runDemo({ dir, input: join(dir, 'missing.json') }).catch((e: DemoError) => e);
    expect((error as DemoError).code).toBe('INPUT_UNREADABLE');
  });

  it('refuses a work folder that holds other files', async () => {
    const other = mkdtempSync(join(tmpdir(), 'lmdi-other-'));
    writeFileSync(join(other, 'notes.txt'), 'mine');
    const error = await runDemo({ dir: other }).catch((e: DemoError) => e);

    expect((error as DemoError).code).toBe('WORKSPACE_DAMAGED');
    rmSync(other, { recursive: true, force: true });
  });

  it('refuses a damaged work folder, naming it, and stops whatever it started', async () => {
    const damaged = mkdtempSync(join(tmpdir(), 'lmdi-damaged-'));
    await openWorkspace(damaged);
    rmSync(join(damaged, 'sender.key.pem'));

    const error = (await runDemo({ dir: damaged }).catch((e: DemoError) => e)) as DemoError;
    expect(error.code).toBe('WORKSPACE_DAMAGED');
    expect(error.message).toMatch(/delete it or choose another --dir/);
    rmSync(damaged, { recursive: true, force: true });
  });

  it('stops the servers it started when the register database cannot be opened', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'lmdi-broken-'));
    await openWorkspace(broken);
    writeFileSync(join(broken, 'register.sqlite'), 'this is not a database, and it is long enough to be read as one');

    const listeningBefore = listeningServers();

    const error = (await runDemo({ dir: broken }).catch((e: { code?: string }) => e)) as { code?: string };

    expect(error.code).toBe('SQLITE_NOTADB');
    // A closed server leaves the handle list on the next turn of the event loop.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listeningServers()).toBe(listeningBefore);
    rmSync(broken, { recursive: true, force: true });
  });

  it('sent nothing for any refused input', async () => {
    const result = await runDemo({ dir });
    // Four accepted runs above, plus this one: the refusals added no message.
    expect(result.messagesInStore).toBe(5);
  });
});

/** Open TCP servers of this process: the HelseID stand-in and the receiver each hold one. */
function listeningServers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length;
}
