import { describe, expect, it } from 'vitest';

import { RULE_SYSTEM, ISSUE_EXTENSION_FULLURL, ISSUE_EXTENSION_RESOURCE_TYPE, preloadValidator, sampleBundle, toOperationOutcome, validateBundle } from '../../src/fhir/index.js';
import { E, bundle, expectFindings, loc, resource, type Json } from './support/bundle.js';

const LMDI = 'http://hl7.no/fhir/ig/lmdi/StructureDefinition/';

describe('the sample bundle', () => {
  it('passes validation with no issues at all, under both IG versions', () => {
    expect(validateBundle(sampleBundle()).issues).toEqual([]);
    expect(validateBundle(sampleBundle(), { ig: '1.1' }).issues).toEqual([]);
  });

  it('preloading the validator leaves later results unchanged', () => {
    preloadValidator();
    expect(validateBundle(sampleBundle()).valid).toBe(true);
  });

  it('holds every kind of LMDI resource a nursing home sends', () => {
    const types = new Set((bundle()['entry'] as Json[]).map((e) => e['resource'].resourceType));
    expect([...types].sort()).toEqual(['Encounter', 'Medication', 'MedicationAdministration', 'MedicationRequest', 'Organization', 'Patient', 'Practitioner']);
  });
});

describe('lmdi-bundle', () => {
  it('resourceType must be Bundle', () => {
    const b = bundle();
    b['resourceType'] = 'Parameters';
    expectFindings(b, [['lmdi-bundle.resourceType', 'Bundle.resourceType', 'structure']]);
  });

  it('a non-object is not a bundle', () => {
    expectFindings([], [['lmdi-bundle.resourceType', 'Bundle', 'structure']]);
  });

  it('type is fixed to transaction', () => {
    const b = bundle();
    b['type'] = 'batch';
    expectFindings(b, [['lmdi-bundle.type', 'Bundle.type', 'value']]);
  });

  it('identifier is required', () => {
    const b = bundle();
    delete b['identifier'];
    expectFindings(b, [['lmdi-bundle.identifier', 'Bundle.identifier', 'required']]);
  });

  it('timestamp is required', () => {
    const b = bundle();
    delete b['timestamp'];
    expectFindings(b, [['lmdi-bundle.timestamp', 'Bundle.timestamp', 'required']]);
  });

  it('timestamp must be an R4 instant (with a zone)', () => {
    const b = bundle();
    b['timestamp'] = '2025-03-10T13:28:17';
    expectFindings(b, [['r4.Bundle.timestamp', 'Bundle.timestamp', 'value']]);
  });

  it('total is forbidden', () => {
    const b = bundle();
    b['total'] = 1;
    expectFindings(b, [['lmdi-bundle.total', 'Bundle.total', 'structure']]);
  });

  it('link is forbidden', () => {
    const b = bundle();
    b['link'] = [{ relation: 'self', url: 'https://example.org/x' }];
    expectFindings(b, [['lmdi-bundle.link', 'Bundle.link', 'structure']]);
  });

  it('entry is required (an empty list counts as missing)', () => {
    const b = bundle();
    b['entry'] = [];
    expectFindings(b, [['lmdi-bundle.entry', 'Bundle.entry', 'required']]);
    delete b['entry'];
    expectFindings(b, [['lmdi-bundle.entry', 'Bundle.entry', 'required']]);
  });

  it('entry.fullUrl missing is a warning only', () => {
    const b = bundle();
    delete b['entry'][17].fullUrl;
    expectFindings(b, [['lmdi-bundle.entry.fullUrl', 'Bundle.entry[17].fullUrl', 'required', 'warning']]);
  });

  it('entry.fullUrl must be unique', () => {
    const b = bundle();
    b['entry'][17].fullUrl = b['entry'][16].fullUrl;
    expectFindings(b, [['lmdi-bundle.entry.fullUrl/unique', 'Bundle.entry[17].fullUrl', 'invalid']]);
  });

  it('entry.resource is required', () => {
    const b = bundle();
    delete b['entry'][E.admin].resource;
    expectFindings(b, [['lmdi-bundle.entry.resource', `Bundle.entry[${E.admin}].resource`, 'required']]);
  });

  it('entry.request is required', () => {
    const b = bundle();
    delete b['entry'][0].request;
    expectFindings(b, [['lmdi-bundle.entry.request', 'Bundle.entry[0].request', 'required']]);
  });

  it('entry.request.method is fixed to POST', () => {
    const b = bundle();
    b['entry'][3].request.method = 'PUT';
    expectFindings(b, [['lmdi-bundle.entry.request.method', 'Bundle.entry[3].request.method', 'value']]);
  });

  it('entry.request.url is required', () => {
    const b = bundle();
    delete b['entry'][2].request.url;
    expectFindings(b, [['lmdi-bundle.entry.request.url', 'Bundle.entry[2].request.url', 'required']]);
  });

  it('every finding inside an entry carries its fullUrl and resource type', () => {
    const b = bundle();
    b['entry'][2].request.method = 'PUT';
    const [issue] = expectFindings(b, [['lmdi-bundle.entry.request.method', 'Bundle.entry[2].request.method', 'value']]);
    expect(issue?.fullUrl).toBe(b['entry'][2].fullUrl);
    expect(issue?.resourceType).toBe('Practitioner');
  });
});

describe('lr-allowed-resources and the declared profile', () => {
  it('a resource must declare an LMDI profile', () => {
    const b = bundle();
    delete resource(b, E.pasientA)['meta'];
    expectFindings(b, [['lmdi-bundle:lr-allowed-resources', loc(E.pasientA, 'meta.profile'), 'invariant']]);
  });

  it('the declared profile must be the one for its resource type', () => {
    const b = bundle();
    resource(b, E.pasientA)['meta'].profile = [`${LMDI}lmdi-medication`];
    expectFindings(b, [['lmdi-bundle.entry.resource.meta.profile', loc(E.pasientA, 'meta.profile'), 'business-rule']]);
  });

  it('accepts a versioned canonical', () => {
    const b = bundle();
    resource(b, E.pasientA)['meta'].profile = [`${LMDI}lmdi-patient|1.0.7`];
    expectFindings(b, []);
  });

  it('rejects a resource type outside LMDI', () => {
    const b = bundle();
    b['entry'][17].resource = { resourceType: 'Observation', meta: { profile: [`${LMDI}lmdi-observation`] }, status: 'final', code: { text: 'x' } };
    expectFindings(b, [['lmdi-bundle:lr-allowed-resources', loc(17, 'meta.profile'), 'invariant']]);
  });

  it('a resource without resourceType is reported by the profile check and by R4', () => {
    const b = bundle();
    delete resource(b, E.admin)['resourceType'];
    expectFindings(b, [
      ['lmdi-bundle.entry.resource.meta.profile', loc(E.admin, 'meta.profile'), 'business-rule'],
      ['r4.resourceType', loc(E.admin, 'resourceType'), 'structure'],
    ]);
  });
});

describe('references inside the bundle', () => {
  it('a urn:uuid reference must resolve to an entry', () => {
    const b = bundle();
    resource(b, E.admin)['subject'] = { reference: 'urn:uuid:00000000-0000-4000-8000-000000000000' };
    expectFindings(b, [['lmdi-bundle.reference/resolves', loc(E.admin, 'subject.reference'), 'not-found']]);
  });

  it('finds references nested in lists', () => {
    const b = bundle();
    resource(b, E.admin)['reasonReference'] = [{ reference: 'urn:uuid:00000000-0000-4000-8000-000000000001' }];
    expectFindings(b, [['lmdi-bundle.reference/resolves', loc(E.admin, 'reasonReference[0].reference'), 'not-found']]);
  });

  it('a reference outside the bundle is a warning', () => {
    const b = bundle();
    resource(b, E.admin)['subject'] = { reference: 'Patient/elsewhere' };
    expectFindings(b, [['lmdi-bundle.reference/resolves', loc(E.admin, 'subject.reference'), 'not-found', 'warning']]);
  });

  it('resolves a relative reference by resource type and id', () => {
    const b = bundle();
    resource(b, E.pasientA)['id'] = 'pas-a';
    resource(b, E.admin)['subject'] = { reference: 'Patient/pas-a' };
    expectFindings(b, []);
  });

  it('resolves a relative reference against an absolute fullUrl', () => {
    const b = bundle();
    b['entry'][E.pasientA].fullUrl = 'https://example.org/fhir/Patient/pas-a';
    for (const e of b['entry'] as Json[]) {
      const r = e['resource'];
      if (r.subject?.reference === 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1c04') r.subject.reference = 'Patient/pas-a';
    }
    expectFindings(b, []);
  });

  it('the target must have the allowed profile (administration subject is a Patient)', () => {
    const b = bundle();
    resource(b, E.admin)['subject'] = { reference: b['entry'][E.paracetamol].fullUrl };
    expectFindings(b, [['lmdi-medicationadministration.subject', loc(E.admin, 'subject.reference'), 'business-rule']]);
  });
});

describe('toOperationOutcome', () => {
  it('gives one issue per finding with severity, code, expression, rule, entry and message', () => {
    const b = bundle();
    b['entry'][3].request.method = 'PUT';
    const outcome = toOperationOutcome(validateBundle(b).issues) as Json;
    expect(outcome).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        {
          extension: [
            { url: ISSUE_EXTENSION_FULLURL, valueUri: b['entry'][3].fullUrl },
            { url: ISSUE_EXTENSION_RESOURCE_TYPE, valueCode: 'Patient' },
          ],
          severity: 'error',
          code: 'value',
          details: { coding: [{ system: RULE_SYSTEM, code: 'lmdi-bundle.entry.request.method' }], text: expect.stringContaining('POST') },
          diagnostics: 'lmdi-bundle.entry.request.method',
          expression: ['Bundle.entry[3].request.method'],
        },
      ],
    });
  });

  it('says all is fine for no issues', () => {
    const outcome = toOperationOutcome([]) as Json;
    expect(outcome['issue']).toHaveLength(1);
    expect(outcome['issue'][0].severity).toBe('information');
    expect(outcome['issue'][0].details.text).toMatch(/passed/);
  });
});

describe('many problems at once', () => {
  it('reports every error, not just the first, bundle level first then by entry', () => {
    const b = bundle();
    b['type'] = 'batch';
    b['total'] = 1;
    delete b['timestamp'];
    const admins = (b['entry'] as Json[]).filter((e) => e['resource'].resourceType === 'MedicationAdministration');
    for (const e of admins) {
      e['request'].method = 'PUT';
      e['resource'].status = 'stopped';
      e['resource'].effectiveDateTime = '2025-03-10';
      delete e['resource'].dosage.dose;
    }

    const { valid, issues } = validateBundle(b);
    expect(valid).toBe(false);

    const count = (rule: string) => issues.filter((i) => i.rule === rule).length;
    expect(count('lmdi-bundle.type')).toBe(1);
    expect(count('lmdi-bundle.total')).toBe(1);
    expect(count('lmdi-bundle.timestamp')).toBe(1);
    expect(count('lmdi-bundle.entry.request.method')).toBe(admins.length);
    expect(count('lmdi-medicationadministration.status')).toBe(admins.length);
    expect(count('lmdi-medicationadministration:time-required')).toBe(admins.length);
    expect(count('lmdi-medicationadministration.dosage.dose')).toBe(admins.length);
    expect(issues).toHaveLength(3 + 4 * admins.length);
    expect(issues.slice(0, 3).every((i) => !i.location.startsWith('Bundle.entry'))).toBe(true);
  });
});
