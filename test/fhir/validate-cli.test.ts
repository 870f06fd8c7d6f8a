/** `lmdi validate`: --ig, grouped report, --json OperationOutcome and exit codes 0/1/2. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { main } from '../../src/cli/main.js';
import { E, bundle, resource, type Json } from './support/bundle.js';

const dir = mkdtempSync(join(tmpdir(), 'lmdi-validate-'));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'lmdi', 'validate', ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function substanceBundle(): Json {
  const b = bundle();
  b['entry'].push({
    fullUrl: 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1e02',
    resource: {
      resourceType: 'Substance',
      meta: { profile: ['http://hl7.no/fhir/ig/lmdi/StructureDefinition/lmdi-substance'] },
      category: [{ text: 'drug' }],
      code: { text: 'Oksykodon' },
    },
    request: { method: 'POST', url: 'Substance' },
  });
  return b;
}

describe('lmdi validate', () => {
  it('exits 0 for a valid bundle', async () => {
    const result = await run(file('ok.json', bundle()));
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/valid under LMDI 1\.0\.7 \(0 errors, 0 warnings; 18 entries, 0 with findings\)/);
  });

  it('exits 0 when there are only warnings', async () => {
    const b = bundle();
    delete b['entry'][17].fullUrl;
    const result = await run(file('warn.json', b));
    expect(result.code).toBe(0);
    expect(result.out).toContain('0 errors, 1 warning');
  });

  it('exits 1 with errors, counts first and details grouped by entry', async () => {
    const b = bundle();
    b['type'] = 'batch';
    resource(b, E.pasientA)['name'] = [{ family: 'Nordmann' }];
    resource(b, E.pasientA)['telecom'] = [{ system: 'phone', value: '1' }];
    const result = await run(file('bad.json', b));

    expect(result.code).toBe(1);
    expect(result.out).toContain('INVALID under LMDI 1.0.7 (3 errors, 0 warnings; 18 entries, 2 with findings)');
    const lines = result.err.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      '  Bundle: 1 error, 0 warnings',
      '  Bundle.entry[3] (Patient urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1c04): 2 errors, 0 warnings',
    ]);
    expect(result.err).toMatch(/Bundle.entry\[3\] \(Patient [^)]+\)\n {2}error \[lmdi-patient\.name\] name: Remove name/);
  });

  it('--ig 1.1 accepts lmdi-substance, which 1.0.7 refuses', async () => {
    const path = file('substance.json', substanceBundle());
    expect((await run(path)).code).toBe(1);
    expect((await run(path, '--ig', '1.1')).code).toBe(0);
    expect((await run(path, '--ig', '1.1.2')).code).toBe(0);
  });

  it('--json prints an OperationOutcome with one issue per finding', async () => {
    const b = bundle();
    resource(b, E.admin)['status'] = 'stopped';
    const result = await run(file('json.json', b), '--json');

    expect(result.code).toBe(1);
    const outcome = JSON.parse(result.out) as Json;
    expect(outcome['resourceType']).toBe('OperationOutcome');
    expect(outcome['issue']).toHaveLength(1);
    expect(outcome['issue'][0]).toMatchObject({
      severity: 'error',
      code: 'code-invalid',
      diagnostics: 'lmdi-medicationadministration.status',
      expression: [`Bundle.entry[${E.admin}].resource.status`],
    });
    expect(outcome['issue'][0].extension.map((x: Json) => Object.values(x)[1])).toEqual([b['entry'][E.admin].fullUrl, 'MedicationAdministration']);
  });

  it('exits 2 for an unknown --ig', async () => {
    const result = await run(file('ok2.json', bundle()), '--ig', '2.0');
    expect(result.code).toBe(2);
    expect(result.err).toContain('--ig must be 1.0.7 or 1.1');
  });

  it('exits 2 for a file that cannot be read', async () => {
    const result = await run(join(dir, 'missing.json'));
    expect(result.code).toBe(2);
    expect(result.err).toContain('INPUT_UNREADABLE');
  });

  it('exits 1 for a file that is not JSON, naming line and column', async () => {
    const result = await run(file('broken.json', '{\n  "resourceType": }'));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/FHIR_NOT_JSON.*line 2/);
  });
});
