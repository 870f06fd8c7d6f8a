import { describe, expect, it } from 'vitest';

import { sampleBundle, toOperationOutcome, validateBundle } from '../../src/fhir/index.js';
import type { ValidationIssue } from '../../src/fhir/index.js';

type Json = Record<string, any>;

/** A fresh, valid bundle to break one rule at a time. */
function bundle(): Json {
  return structuredClone(sampleBundle(new Date('2025-03-11T06:00:00Z'))) as Json;
}

/** Index of the first entry whose resource has `type`. */
function indexOf(b: Json, type: string): number {
  const index = (b['entry'] as Json[]).findIndex((e) => e['resource']?.resourceType === type);
  if (index < 0) throw new Error(`sample has no ${type}`);
  return index;
}

function resourceOf(b: Json, type: string): Json {
  return b['entry'][indexOf(b, type)].resource as Json;
}

/** Validates and expects exactly one issue with this rule and location. */
function expectOnly(b: Json, rule: string, location: string, severity = 'error'): ValidationIssue {
  const { issues, valid } = validateBundle(b);
  expect(issues.map((i) => `${i.rule} @ ${i.location}`)).toEqual([`${rule} @ ${location}`]);

  const issue = issues[0] as ValidationIssue;
  expect(issue.severity).toBe(severity);
  expect(valid).toBe(severity !== 'error');
  expect(issue.message.length).toBeGreaterThan(10);
  return issue;
}

describe('the sample bundle', () => {
  it('passes validation with no issues at all', () => {
    const result = validateBundle(sampleBundle());
    expect(result.issues).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('holds every kind of LMDI resource a nursing home sends', () => {
    const types = new Set((bundle()['entry'] as Json[]).map((e) => e['resource'].resourceType));
    expect([...types].sort()).toEqual(
      ['Encounter', 'Medication', 'MedicationAdministration', 'MedicationRequest', 'Organization', 'Patient', 'Practitioner'],
    );
  });
});

describe('bundle-level rules', () => {
  it('bundle.resourceType', () => {
    const b = bundle();
    b['resourceType'] = 'Parameters';
    expectOnly(b, 'bundle.resourceType', 'Bundle.resourceType');
  });

  it('bundle.resourceType for a non-object', () => {
    expect(validateBundle([]).issues.map((i) => i.rule)).toEqual(['bundle.resourceType']);
  });

  it('bundle.type', () => {
    const b = bundle();
    b['type'] = 'batch';
    expectOnly(b, 'bundle.type', 'Bundle.type');
  });

  it('bundle.identifier missing', () => {
    const b = bundle();
    delete b['identifier'];
    expectOnly(b, 'bundle.identifier', 'Bundle.identifier');
  });

  it('bundle.identifier without value', () => {
    const b = bundle();
    b['identifier'] = { system: 'urn:ietf:rfc:3986' };
    expectOnly(b, 'bundle.identifier', 'Bundle.identifier');
  });

  it('bundle.timestamp missing', () => {
    const b = bundle();
    delete b['timestamp'];
    expectOnly(b, 'bundle.timestamp', 'Bundle.timestamp');
  });

  it('bundle.timestamp without zone offset', () => {
    const b = bundle();
    b['timestamp'] = '2025-03-11T07:00:00';
    expectOnly(b, 'bundle.timestamp', 'Bundle.timestamp');
  });

  it('bundle.total', () => {
    const b = bundle();
    b['total'] = 3;
    expectOnly(b, 'bundle.total', 'Bundle.total');
  });

  it('bundle.link', () => {
    const b = bundle();
    b['link'] = [{ relation: 'self', url: 'https://example.org' }];
    expectOnly(b, 'bundle.link', 'Bundle.link');
  });

  it('bundle.entry empty', () => {
    const b = bundle();
    b['entry'] = [];
    expectOnly(b, 'bundle.entry', 'Bundle.entry');
  });
});

describe('entry-level rules', () => {
  it('entry.fullUrl missing is a warning only', () => {
    // The last administration is referenced by nothing, so only the warning remains.
    const b = bundle();
    const last = b['entry'].length - 1;
    delete b['entry'][last].fullUrl;
    const issue = expectOnly(b, 'entry.fullUrl', `Bundle.entry[${last}].fullUrl`, 'warning');
    expect(issue.resourceType).toBe('MedicationAdministration');
  });

  it('entry.fullUrl.unique', () => {
    const b = bundle();
    const last = b['entry'].length - 1;
    b['entry'][last].fullUrl = b['entry'][last - 1].fullUrl;
    expectOnly(b, 'entry.fullUrl.unique', `Bundle.entry[${last}].fullUrl`);
  });

  it('entry.resource', () => {
    const b = bundle();
    const last = b['entry'].length - 1;
    delete b['entry'][last].resource;
    expectOnly(b, 'entry.resource', `Bundle.entry[${last}].resource`);
  });

  it('entry.request', () => {
    const b = bundle();
    delete b['entry'][0].request;
    expectOnly(b, 'entry.request', 'Bundle.entry[0].request');
  });

  it('entry.request.method', () => {
    const b = bundle();
    b['entry'][3].request.method = 'PUT';
    const issue = expectOnly(b, 'entry.request.method', 'Bundle.entry[3].request.method');
    expect(issue.fullUrl).toBe(b['entry'][3].fullUrl);
  });

  it('entry.request.url', () => {
    const b = bundle();
    b['entry'][2].request.url = '';
    expectOnly(b, 'entry.request.url', 'Bundle.entry[2].request.url');
  });

  it('entry.resourceType', () => {
    const b = bundle();
    const last = b['entry'].length - 1;
    delete b['entry'][last].resource.resourceType;
    const { issues } = validateBundle(b);
    // Without a type the profile cannot match either; both are reported.
    expect(issues.map((i) => i.rule)).toEqual(['entry.resourceType', 'entry.profile']);
    expect(issues[0]?.location).toBe(`Bundle.entry[${last}].resource.resourceType`);
  });

  it('entry.profile missing', () => {
    const b = bundle();
    const i = indexOf(b, 'Medication');
    delete b['entry'][i].resource.meta;
    expectOnly(b, 'entry.profile', `Bundle.entry[${i}].resource.meta.profile`);
  });

  it('entry.profile of another type', () => {
    const b = bundle();
    const i = indexOf(b, 'Medication');
    b['entry'][i].resource.meta.profile = ['http://hl7.no/fhir/ig/lmdi/StructureDefinition/lmdi-patient'];
    expectOnly(b, 'entry.profile', `Bundle.entry[${i}].resource.meta.profile`);
  });

  it('entry.profile accepts a versioned canonical', () => {
    const b = bundle();
    resourceOf(b, 'Medication')['meta'].profile = ['http://hl7.no/fhir/ig/lmdi/StructureDefinition/lmdi-medication|1.0.7'];
    expect(validateBundle(b).issues).toEqual([]);
  });

  it('entry.profile rejects a resource type outside LMDI', () => {
    const b = bundle();
    b['entry'].push({
      fullUrl: 'urn:uuid:9a0e4c1b-2d3f-4e5a-8b6c-7d8e9f0a1b2c',
      resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' } },
      request: { method: 'POST', url: 'Observation' },
    });
    expectOnly(b, 'entry.profile', `Bundle.entry[${b['entry'].length - 1}].resource.meta.profile`);
  });

  it('accepts lmdi-substance (added in 1.1)', () => {
    const b = bundle();
    b['entry'].push({
      fullUrl: 'urn:uuid:9a0e4c1b-2d3f-4e5a-8b6c-7d8e9f0a1b2d',
      resource: {
        resourceType: 'Substance',
        meta: { profile: ['http://hl7.no/fhir/ig/lmdi/StructureDefinition/lmdi-substance'] },
        category: [{ text: 'drug' }],
        code: { text: 'Paracetamol' },
      },
      request: { method: 'POST', url: 'Substance' },
    });
    expect(validateBundle(b).issues).toEqual([]);
  });

  it('profile.forbidden-element', () => {
    const b = bundle();
    const i = indexOf(b, 'MedicationAdministration');
    b['entry'][i].resource.note = [{ text: 'gitt med yoghurt' }];
    expectOnly(b, 'profile.forbidden-element', `Bundle.entry[${i}].resource.note`);
  });
});

describe('references', () => {
  it('reference.unresolved points at the exact reference', () => {
    const b = bundle();
    const i = indexOf(b, 'MedicationAdministration');
    b['entry'][i].resource.subject.reference = 'urn:uuid:00000000-0000-4000-8000-000000000000';
    const issue = expectOnly(b, 'reference.unresolved', `Bundle.entry[${i}].resource.subject.reference`);
    expect(issue.message).toContain('urn:uuid:00000000-0000-4000-8000-000000000000');
  });

  it('finds references nested in lists', () => {
    const b = bundle();
    const i = indexOf(b, 'MedicationAdministration');
    b['entry'][i].resource.reasonReference = [{ reference: b['entry'][0].fullUrl }, { reference: 'urn:uuid:missing' }];
    expectOnly(b, 'reference.unresolved', `Bundle.entry[${i}].resource.reasonReference[1].reference`);
  });

  it('leaves non-urn references alone', () => {
    const b = bundle();
    resourceOf(b, 'MedicationAdministration')['subject'] = { reference: 'Patient/123' };
    expect(validateBundle(b).issues).toEqual([]);
  });
});

describe('MedicationAdministration', () => {
  function broken(change: (r: Json) => void): { b: Json; i: number } {
    const b = bundle();
    const i = indexOf(b, 'MedicationAdministration');
    change(b['entry'][i].resource);
    return { b, i };
  }

  it('medicationadministration.status', () => {
    const { b, i } = broken((r) => (r['status'] = 'in-progress'));
    expectOnly(b, 'medicationadministration.status', `Bundle.entry[${i}].resource.status`);
  });

  it('accepts entered-in-error (retraction)', () => {
    const { b } = broken((r) => (r['status'] = 'entered-in-error'));
    expect(validateBundle(b).issues).toEqual([]);
  });

  it('medicationadministration.effective missing', () => {
    const { b, i } = broken((r) => delete r['effectiveDateTime']);
    expectOnly(b, 'medicationadministration.effective', `Bundle.entry[${i}].resource.effective[x]`);
  });

  it('medicationadministration.effective without a time of day', () => {
    const { b, i } = broken((r) => (r['effectiveDateTime'] = '2025-03-10'));
    expectOnly(b, 'medicationadministration.effective', `Bundle.entry[${i}].resource.effectiveDateTime`);
  });

  it('medicationadministration.effective period needs an end', () => {
    const { b, i } = broken((r) => {
      delete r['effectiveDateTime'];
      r['effectivePeriod'] = { start: '2025-03-10T08:00:00+01:00' };
    });
    expectOnly(b, 'medicationadministration.effective', `Bundle.entry[${i}].resource.effectivePeriod.end`);
  });

  it('accepts a full period', () => {
    const { b } = broken((r) => {
      delete r['effectiveDateTime'];
      r['effectivePeriod'] = { start: '2025-03-10T08:00:00+01:00', end: '2025-03-10T08:30:00+01:00' };
    });
    expect(validateBundle(b).issues).toEqual([]);
  });

  it('medicationadministration.dosage.dose', () => {
    const { b, i } = broken((r) => delete r['dosage'].dose);
    expectOnly(b, 'medicationadministration.dosage.dose', `Bundle.entry[${i}].resource.dosage.dose`);
  });

  it('medicationadministration.subject', () => {
    const { b, i } = broken((r) => delete r['subject']);
    expectOnly(b, 'medicationadministration.subject', `Bundle.entry[${i}].resource.subject`);
  });

  it('medicationadministration.medication', () => {
    const { b, i } = broken((r) => delete r['medicationReference']);
    expectOnly(b, 'medicationadministration.medication', `Bundle.entry[${i}].resource.medicationReference`);
  });
});

describe('MedicationRequest', () => {
  it('medicationrequest.requester', () => {
    const b = bundle();
    const i = indexOf(b, 'MedicationRequest');
    delete b['entry'][i].resource.requester;
    expectOnly(b, 'medicationrequest.requester', `Bundle.entry[${i}].resource.requester`);
  });
});

describe('Patient', () => {
  it('patient.name', () => {
    const b = bundle();
    const i = indexOf(b, 'Patient');
    b['entry'][i].resource.name = [{ family: 'Nordmann' }];
    expectOnly(b, 'patient.name', `Bundle.entry[${i}].resource.name`);
  });

  it('patient.identifier.system', () => {
    const b = bundle();
    const i = indexOf(b, 'Patient');
    b['entry'][i].resource.identifier[0].system = 'urn:oid:2.16.578.1.12.4.1.4.3';
    expectOnly(b, 'patient.identifier.system', `Bundle.entry[${i}].resource.identifier[0].system`);
  });

  it('patient.identifier.value must be 11 digits', () => {
    const b = bundle();
    const i = indexOf(b, 'Patient');
    b['entry'][i].resource.identifier[0].value = '1501724003';
    expectOnly(b, 'patient.identifier.value', `Bundle.entry[${i}].resource.identifier[0].value`);
  });

  it('patient.identifier.checkdigits never echoes the number', () => {
    const b = bundle();
    const i = indexOf(b, 'Patient');
    const bad = '15017240047';
    b['entry'][i].resource.identifier[0].value = bad;
    const issue = expectOnly(b, 'patient.identifier.checkdigits', `Bundle.entry[${i}].resource.identifier[0].value`);
    expect(issue.message).toContain('fødselsnummer');
    expect(issue.message).not.toContain(bad);
    expect(JSON.stringify(toOperationOutcome([issue]))).not.toContain(bad);
  });

  it('checks a D-nummer as a D-nummer', () => {
    const b = bundle();
    const i = indexOf(b, 'Patient') + 1;
    expect(b['entry'][i].resource.identifier[0].system).toBe('urn:oid:2.16.578.1.12.4.1.4.2');
    b['entry'][i].resource.identifier[0].value = '15017240037'; // a valid FNR, not a DNR
    const issue = expectOnly(b, 'patient.identifier.checkdigits', `Bundle.entry[${i}].resource.identifier[0].value`);
    expect(issue.message).toContain('D-nummer');
  });

  it('allows a patient without identifier', () => {
    const b = bundle();
    delete resourceOf(b, 'Patient')['identifier'];
    expect(validateBundle(b).issues).toEqual([]);
  });
});

describe('Organization', () => {
  it('organization.name', () => {
    const b = bundle();
    delete b['entry'][0].resource.name;
    expectOnly(b, 'organization.name', 'Bundle.entry[0].resource.name');
  });

  it('organization.identifier.enh', () => {
    const b = bundle();
    b['entry'][1].resource.identifier[0].value = '974760674';
    expectOnly(b, 'organization.identifier.enh', 'Bundle.entry[1].resource.identifier[0].value');
  });
});

describe('many problems at once', () => {
  it('reports every error, not just the first', () => {
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
    expect(count('bundle.type')).toBe(1);
    expect(count('bundle.total')).toBe(1);
    expect(count('bundle.timestamp')).toBe(1);
    expect(count('entry.request.method')).toBe(admins.length);
    expect(count('medicationadministration.status')).toBe(admins.length);
    expect(count('medicationadministration.effective')).toBe(admins.length);
    expect(count('medicationadministration.dosage.dose')).toBe(admins.length);
    expect(issues).toHaveLength(3 + 4 * admins.length);
  });
});

describe('toOperationOutcome', () => {
  it('maps issues to OperationOutcome.issue', () => {
    const b = bundle();
    b['type'] = 'batch';
    const outcome = toOperationOutcome(validateBundle(b).issues) as Json;
    expect(outcome).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'value',
          details: { text: expect.stringContaining('transaction') },
          diagnostics: 'bundle.type',
          expression: ['Bundle.type'],
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
