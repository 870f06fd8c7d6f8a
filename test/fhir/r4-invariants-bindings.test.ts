/**
 * Base R4 invariants of resources and their elements (expressions from the R4 definitions,
 * evaluated with fhirpath) and R4 required bindings on CodeableConcept: the sample bundle broken in
 * exactly one place, asserting the rule id, location and issue code.
 */
import { describe, expect, it } from 'vitest';

import { inputKeyFor } from '../../src/fhir/profiles/invariant-inputs.js';
import { E, bundle, expectFindings, loc, resource, type Json } from './support/bundle.js';

const LMDI = 'http://hl7.org/fhir/ValueSet/';
const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const at = (entry: number): string => `Bundle.entry[${entry}].resource`;

/** A contained Substance the medication's ingredient points at (so dom-3 holds). */
function withContainedSubstance(b: Json, extra: Json = {}): Json {
  const medication = resource(b, E.paracetamol);
  medication['contained'] = [{ resourceType: 'Substance', id: 'virkestoff', code: { text: 'paracetamol' }, ...extra }];
  medication['ingredient'] = [{ itemReference: { reference: '#virkestoff' } }];
  return medication;
}

function withCondition(b: Json, extra: Json): number {
  b['entry'].push({
    fullUrl: 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1e09',
    resource: {
      resourceType: 'Condition',
      meta: { profile: ['http://hl7.no/fhir/ig/lmdi/StructureDefinition/lmdi-condition'] },
      subject: { reference: b['entry'][E.pasientA].fullUrl },
      code: { coding: [{ system: 'urn:oid:2.16.578.1.12.4.1.1.7110', code: 'R63.3' }] },
      ...extra,
    },
    request: { method: 'POST', url: 'Condition' },
  });
  return b['entry'].length - 1;
}

describe('base R4 resource invariants', () => {
  it('a referenced contained resource is fine', () => {
    const b = bundle();
    withContainedSubstance(b);
    expectFindings(b, []);
  });

  it('dom-2: a contained resource contains no resources', () => {
    const b = bundle();
    // The inner one is referenced by the outer one, so only dom-2 is broken.
    withContainedSubstance(b, {
      contained: [{ resourceType: 'Substance', id: 'indre', code: { text: 'x' } }],
      ingredient: [{ substanceReference: { reference: '#indre' } }],
    });
    expectFindings(b, [['r4.Medication:dom-2', at(E.paracetamol), 'invariant']]);
  });

  it('dom-3: a contained resource is referenced from the resource', () => {
    const b = bundle();
    delete withContainedSubstance(b)['ingredient'];
    expectFindings(b, [['r4.Medication:dom-3', at(E.paracetamol), 'invariant']]);
  });

  it('dom-4: a contained resource has no meta.versionId or meta.lastUpdated', () => {
    const b = bundle();
    withContainedSubstance(b, { meta: { versionId: '2' } });
    expectFindings(b, [['r4.Medication:dom-4', at(E.paracetamol), 'invariant']]);
  });

  it('dom-5: a contained resource has no security labels', () => {
    const b = bundle();
    withContainedSubstance(b, { meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] } });
    expectFindings(b, [['r4.Medication:dom-5', at(E.paracetamol), 'invariant']]);
  });

  it('verdicts are not shared between resources that differ in what the invariant reads', () => {
    const b = bundle();
    withContainedSubstance(b);
    const second = (b['entry'] as Json[]).findIndex((e, i) => i !== E.paracetamol && e['resource'].resourceType === 'Medication');
    const other = resource(b, second);
    other['contained'] = [{ resourceType: 'Substance', id: 'virkestoff', code: { text: 'y' }, meta: { lastUpdated: '2025-03-10T08:00:00+01:00' } }];
    other['ingredient'] = [{ itemReference: { reference: '#virkestoff' } }];
    expectFindings(b, [['r4.Medication:dom-4', at(second), 'invariant']]);
  });

  it('con-5: an entered-in-error condition has no clinicalStatus', () => {
    const b = bundle();
    const C = withCondition(b, {
      clinicalStatus: { coding: [{ system: CLINICAL, code: 'active' }] },
      verificationStatus: { coding: [{ system: VERIFICATION, code: 'entered-in-error' }] },
    });
    expectFindings(b, [['r4.Condition:con-5', at(C), 'invariant']]);
  });

  it('pat-1 on Patient.contact is reported once, by the profile that forbids contact', () => {
    const b = bundle();
    resource(b, E.pasientA)['contact'] = [{ gender: 'female' }];
    expectFindings(b, [['lmdi-patient.contact', loc(E.pasientA, 'contact'), 'structure'], ['r4.Patient.contact:pat-1', loc(E.pasientA, 'contact[0]'), 'invariant']]);
  });

  it('mad-1 (dose or rate) is not repeated when the profile already asks for the dose', () => {
    const b = bundle();
    delete resource(b, E.admin)['dosage'].dose;
    expectFindings(b, [['lmdi-medicationadministration.dosage.dose', loc(E.admin, 'dosage.dose'), 'required']]);
  });
});

describe('base R4 required bindings on CodeableConcept', () => {
  it('Condition.clinicalStatus must be coded from condition-clinical', () => {
    const b = bundle();
    const C = withCondition(b, { clinicalStatus: { coding: [{ system: CLINICAL, code: 'aktiv' }] } });
    const [issue] = expectFindings(b, [['r4.Condition.clinicalStatus', loc(C, 'clinicalStatus'), 'code-invalid']]);
    expect(issue?.message).toContain(`${LMDI}condition-clinical`);
  });

  it('the right code in the wrong system is not in the value set', () => {
    const b = bundle();
    const C = withCondition(b, { verificationStatus: { coding: [{ system: CLINICAL, code: 'confirmed' }] } });
    expectFindings(b, [['r4.Condition.verificationStatus', loc(C, 'verificationStatus'), 'code-invalid']]);
  });

  it('one coding from the value set is enough', () => {
    const b = bundle();
    withCondition(b, { clinicalStatus: { coding: [{ system: 'urn:example:local', code: 'x' }, { system: CLINICAL, code: 'active' }] } });
    expectFindings(b, []);
  });
});

describe('what an invariant verdict depends on', () => {
  it('a name-only expression is keyed by the properties it names', () => {
    const key = inputKeyFor('dose.exists() or rate.exists()');
    expect(key({ dose: { value: 1 }, route: { text: 'a' } })).toBe(key({ dose: { value: 1 }, route: { text: 'b' } }));
    expect(key({ dose: { value: 1 } })).not.toBe(key({ dose: { value: 2 } }));
    expect(key({ rateQuantity: { value: 1 } })).not.toBe(key({}));
  });

  it('an expression reaching %resource is evaluated unless the element its chain starts at is absent', () => {
    const key = inputKeyFor("contained.where(('#' + id in %resource.descendants().reference).not()).empty()");
    expect(key({ resourceType: 'Patient', id: 'a' })).toBe('absent:contained');
    expect(key({ resourceType: 'Patient', contained: [] })).toBeUndefined();
    expect(inputKeyFor('%resource.id.exists()')({ id: 'a' })).toBeUndefined();
  });

  it('chains joined by and share one verdict for every node without their first element', () => {
    const key = inputKeyFor('contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()');
    expect(key({ resourceType: 'Patient', meta: { profile: ['a'] } })).toBe(key({ resourceType: 'Patient', meta: { profile: ['b'] } }));
    expect(key({ resourceType: 'Patient', contained: [{ meta: { versionId: '1' } }] })).not.toBe(key({ resourceType: 'Patient', contained: [{ meta: {} }] }));
  });
});

describe('lmdi-medication: Medication.code is bound extensibly to legemiddel-koder', () => {
  const M = E.paracetamol;

  it('a code only from a system outside the value set is a warning', () => {
    const b = bundle();
    resource(b, M)['code'] = { coding: [{ system: 'urn:example:sykehus-katalog', code: 'PCM500' }] };
    expectFindings(b, [['lmdi-medication.code/extensible', loc(M, 'code.coding'), 'code-invalid', 'warning']]);
    expectFindings(b, [['lmdi-medication.code/extensible', loc(M, 'code.coding'), 'code-invalid', 'warning']], '1.1');
  });

  it('the local catalogue is in the value set in 1.1, not in 1.0.7', () => {
    const b = bundle();
    resource(b, M)['code'] = { coding: [{ system: 'http://fh.no/fhir/NamingSystem/lokaltVirkemiddel', code: 'L1', display: 'Lokalt preparat' }] };
    expectFindings(b, [['lmdi-medication.code/extensible', loc(M, 'code.coding'), 'code-invalid', 'warning']], '1.0.7');

    const b11 = bundle();
    resource(b11, M)['code'] = { coding: [{ system: 'http://fhi.no/fhir/NamingSystem/lokaltLegemiddel', code: 'L1', display: 'Lokalt preparat' }] };
    expectFindings(b11, [], '1.1');
  });

  it('one coding from the value set beside a local one is fine', () => {
    const b = bundle();
    resource(b, M)['code'].coding.push({ system: 'urn:example:sykehus-katalog', code: 'PCM500' });
    expectFindings(b, []);
  });
});
