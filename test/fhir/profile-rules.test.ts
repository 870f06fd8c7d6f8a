/**
 * One test per LMDI profile rule: the sample bundle (valid) broken in exactly one place, asserting
 * the rule id, FHIRPath location and issue code.
 */
import { describe, expect, it } from 'vitest';

import { toOperationOutcome } from '../../src/fhir/index.js';
import { withPersonCheckDigits } from '../../src/fhir/norwegian-ids.js';
import { E, bundle, expectFindings, loc, resource, type Json } from './support/bundle.js';

const LMDI = 'http://hl7.no/fhir/ig/lmdi/StructureDefinition/';
const NO_BASIS = 'http://hl7.no/fhir/StructureDefinition/';
const OID = 'urn:oid:2.16.578.1.12.4.1';

/** Adds an entry and returns its number. */
function addEntry(b: Json, fullUrl: string, res: Json): number {
  b['entry'].push({ fullUrl, resource: res, request: { method: 'POST', url: res['resourceType'] } });
  return b['entry'].length - 1;
}

function withCondition(b: Json): number {
  return addEntry(b, 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1e01', {
    resourceType: 'Condition',
    meta: { profile: [`${LMDI}lmdi-condition`] },
    subject: { reference: b['entry'][E.pasientA].fullUrl },
    code: { coding: [{ system: `${OID}.1.7110`, code: 'R63.3' }] },
  });
}

function withSubstance(b: Json): number {
  return addEntry(b, 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1e02', {
    resourceType: 'Substance',
    meta: { profile: [`${LMDI}lmdi-substance`] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/substance-category', code: 'drug' }] }],
    code: { coding: [{ system: 'http://ehelse.no/fhir/CodeSystem/FEST', code: 'ID_0B1C', display: 'Oksykodon' }] },
  });
}

describe('lmdi-patient', () => {
  const P = E.pasientA;

  it('name is forbidden', () => {
    const b = bundle();
    resource(b, P)['name'] = [{ family: 'Nordmann' }];
    expectFindings(b, [['lmdi-patient.name', loc(P, 'name'), 'structure']]);
  });

  it('deceased[x] is forbidden in any of its types', () => {
    const b = bundle();
    resource(b, P)['deceasedBoolean'] = false;
    expectFindings(b, [['lmdi-patient.deceased[x]', loc(P, 'deceasedBoolean'), 'structure']]);
  });

  it('address.line is forbidden (nested)', () => {
    const b = bundle();
    resource(b, P)['address'][0].line = ['Storgata 1'];
    expectFindings(b, [['lmdi-patient.address.line', loc(P, 'address[0].line'), 'structure']]);
  });

  it('address.type is fixed to physical', () => {
    const b = bundle();
    resource(b, P)['address'][0].type = 'postal';
    expectFindings(b, [['lmdi-patient.address.type', loc(P, 'address[0].type'), 'code-invalid']]);
  });

  it('address.use is bound to home | temp | old', () => {
    const b = bundle();
    resource(b, P)['address'][0].use = 'work';
    expectFindings(b, [['lmdi-patient.address.use', loc(P, 'address[0].use'), 'code-invalid']]);
  });

  it('the municipality extension on district must use Volven 3402', () => {
    const b = bundle();
    resource(b, P)['address'][0]._district.extension[0].valueCoding.system = `${OID}.1.9999`;
    expectFindings(b, [['lmdi-patient.address.district.extension:municipalitycode.valueCoding.system', loc(P, 'address[0].district.extension[0].valueCoding.system'), 'value']]);
  });

  it('a kommunenummer that is not four digits is a warning', () => {
    const b = bundle();
    resource(b, P)['address'][0]._district.extension[0].valueCoding.code = 'Bergen';
    expectFindings(b, [['lmdi-patient.address.district.extension:municipalitycode.valueCoding.code/format', loc(P, 'address[0].district.extension[0].valueCoding.code'), 'code-invalid', 'warning']]);
  });

  it('at most one urban district extension', () => {
    const b = bundle();
    const urban = { url: `${NO_BASIS}no-basis-urban-district`, valueCoding: { system: `${OID}.1.3403`, code: '01' } };
    resource(b, P)['address'][0].extension = [urban, urban];
    expectFindings(b, [['lmdi-patient.address.extension:urbanDistrict', loc(P, 'address[0].extension'), 'structure']]);
  });

  it('the official-address extension is forbidden', () => {
    const b = bundle();
    resource(b, P)['address'][0].extension = [{ url: `${NO_BASIS}no-basis-address-official`, valueBoolean: true }];
    expectFindings(b, [['lmdi-patient.address.extension:official', loc(P, 'address[0].extension[0]'), 'structure']]);
  });

  it('the citizenship extension is forbidden', () => {
    const b = bundle();
    resource(b, P)['extension'] = [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-citizenship', extension: [{ url: 'code', valueCodeableConcept: { text: 'NO' } }] }];
    expectFindings(b, [['lmdi-patient.extension:citizenship', loc(P, 'extension[0]'), 'structure']]);
  });

  it('identifier:FHN (felles hjelpenummer) is forbidden', () => {
    const b = bundle();
    resource(b, P)['identifier'][0].system = `${OID}.4.3`;
    expectFindings(b, [['lmdi-patient.identifier:FHN', loc(P, 'identifier[0]'), 'structure']]);
  });

  it('an identifier that is not FNR or DNR is a warning', () => {
    const b = bundle();
    resource(b, P)['identifier'][0].system = 'urn:oid:1.2.3';
    expectFindings(b, [['lmdi-patient.identifier/system', loc(P, 'identifier[0].system'), 'value', 'warning']]);
  });

  it('identifier:FNR at most once', () => {
    const b = bundle();
    const ids = resource(b, P)['identifier'];
    ids.push({ ...ids[0] });
    expectFindings(b, [['lmdi-patient.identifier:FNR', loc(P, 'identifier'), 'structure']]);
  });

  it('identifier:FNR.value is required', () => {
    const b = bundle();
    delete resource(b, P)['identifier'][0].value;
    expectFindings(b, [['lmdi-patient.identifier:FNR.value', loc(P, 'identifier[0].value'), 'required']]);
  });

  it('a fødselsnummer has 11 digits', () => {
    const b = bundle();
    resource(b, P)['identifier'][0].value = '1501724003';
    expectFindings(b, [['lmdi-patient.identifier:FNR.value/format', loc(P, 'identifier[0].value'), 'value']]);
  });

  it('a fødselsnummer with wrong check digits is an error that never echoes the number', () => {
    const b = bundle();
    const bad = '15017240047';
    resource(b, P)['identifier'][0].value = bad;
    const [issue] = expectFindings(b, [['lmdi-patient.identifier:FNR.value/check-digits', loc(P, 'identifier[0].value'), 'value']]);
    expect(issue?.message).toContain('fødselsnummer');
    expect(JSON.stringify(toOperationOutcome([issue!]))).not.toContain(bad);
  });

  it('a D-nummer is checked as a D-nummer', () => {
    const b = bundle();
    resource(b, E.pasientB)['identifier'][0].value = '15017240037'; // a valid FNR, not a DNR
    const [issue] = expectFindings(b, [['lmdi-patient.identifier:DNR.value/check-digits', loc(E.pasientB, 'identifier[0].value'), 'value']]);
    expect(issue?.message).toContain('D-nummer');
  });

  it('a fødselsnummer without a possible birth date is a warning', () => {
    const b = bundle();
    const noDate = [...Array(400).keys()].map((n) => withPersonCheckDigits(`311399${100 + n}`)).find(Boolean) as string;
    resource(b, P)['identifier'][0].value = noDate;
    delete resource(b, P)['birthDate'];
    expectFindings(b, [['lmdi-patient.identifier:FNR.value/birth-date', loc(P, 'identifier[0].value'), 'value', 'warning']]);
  });

  it('birthDate that differs from the fødselsnummer is a warning', () => {
    const b = bundle();
    resource(b, P)['birthDate'] = '1938-02-04';
    expectFindings(b, [['lmdi-patient.birthDate/person-number', loc(P, 'birthDate'), 'value', 'warning']]);
  });

  it('allows a patient without identifier', () => {
    const b = bundle();
    delete resource(b, P)['identifier'];
    expectFindings(b, []);
  });
});

describe('lmdi-practitioner', () => {
  const L = E.lege;

  it('name is forbidden', () => {
    const b = bundle();
    resource(b, L)['name'] = [{ family: 'Lege' }];
    expectFindings(b, [['lmdi-practitioner.name', loc(L, 'name'), 'structure']]);
  });

  it('identifier:FNR is forbidden', () => {
    const b = bundle();
    resource(b, L)['identifier'][0].system = `${OID}.4.1`;
    expectFindings(b, [['lmdi-practitioner.identifier:FNR', loc(L, 'identifier[0]'), 'structure']]);
  });

  it('identifier slicing is closed: only HPR', () => {
    const b = bundle();
    resource(b, L)['identifier'][0].system = 'urn:oid:1.2.3';
    expectFindings(b, [['lmdi-practitioner.identifier', loc(L, 'identifier[0].system'), 'structure']]);
  });

  it('an HPR number is digits', () => {
    const b = bundle();
    resource(b, L)['identifier'][0].value = 'HPR-48216';
    expectFindings(b, [['lmdi-practitioner.identifier:HPR.value/format', loc(L, 'identifier[0].value'), 'value']]);
  });
});

describe('lmdi-organization', () => {
  it('name is required', () => {
    const b = bundle();
    delete resource(b, E.kommune)['name'];
    expectFindings(b, [['lmdi-organization.name', loc(E.kommune, 'name'), 'required']]);
  });

  it('telecom is forbidden', () => {
    const b = bundle();
    resource(b, E.kommune)['telecom'] = [{ system: 'phone', value: '55 00 00 00' }];
    expectFindings(b, [['lmdi-organization.telecom', loc(E.kommune, 'telecom'), 'structure']]);
  });

  it('an organisation number needs a valid mod-11 check digit', () => {
    const b = bundle();
    resource(b, E.sykehjem)['identifier'][0].value = '974760674';
    expectFindings(b, [['lmdi-organization.identifier:ENH.value/check-digit', loc(E.sykehjem, 'identifier[0].value'), 'value']]);
  });

  it('a RESH id that is not digits is a warning', () => {
    const b = bundle();
    resource(b, E.sykehjem)['identifier'].push({ system: `${OID}.4.102`, value: 'R-42' });
    expectFindings(b, [['lmdi-organization.identifier:RSH.value/format', loc(E.sykehjem, 'identifier[1].value'), 'value', 'warning']]);
  });

  it('invariant lmdi-org-identifier: ENH or RSH is required', () => {
    const b = bundle();
    resource(b, E.kommune)['identifier'][0].system = 'urn:oid:1.2.3';
    expectFindings(b, [['lmdi-organization:lmdi-org-identifier', 'Bundle.entry[0].resource', 'invariant']]);
  });

  it('invariant org-2: no home address', () => {
    const b = bundle();
    resource(b, E.kommune)['address'][0].use = 'home';
    expectFindings(b, [['lmdi-organization:org-2', loc(E.kommune, 'address[0]'), 'invariant']]);
  });

  it('partOf must point at an organisation', () => {
    const b = bundle();
    resource(b, E.sykehjem)['partOf'] = { reference: b['entry'][E.pasientA].fullUrl };
    expectFindings(b, [['lmdi-organization.partOf', loc(E.sykehjem, 'partOf.reference'), 'business-rule']]);
  });

  it('partOf may not loop back (each loop member is reported)', () => {
    const b = bundle();
    resource(b, E.kommune)['partOf'] = { reference: b['entry'][E.sykehjem].fullUrl };
    expectFindings(b, [
      ['lmdi-organization.partOf/cycle', loc(E.kommune, 'partOf.reference'), 'business-rule'],
      ['lmdi-organization.partOf/cycle', loc(E.sykehjem, 'partOf.reference'), 'business-rule'],
    ]);
  });

  it('1.1 forbids organisatorisk nivå in type', () => {
    const b = bundle();
    resource(b, E.kommune)['type'] = [{ coding: [{ system: `${OID}.1.8628`, code: '1' }] }];
    expectFindings(b, [], '1.0.7');
    expectFindings(b, [['lmdi-organization.type:organisatoriskNiva', loc(E.kommune, 'type[0]'), 'structure']], '1.1');
  });
});

describe('lmdi-encounter', () => {
  const O = E.oppholdA;
  const npr = `${LMDI}npr-episode-identifier`;

  it('subject is forbidden', () => {
    const b = bundle();
    resource(b, O)['subject'] = { reference: b['entry'][E.pasientA].fullUrl };
    expectFindings(b, [['lmdi-encounter.subject', loc(O, 'subject'), 'structure']]);
  });

  it('invariant npr-episode-at-least-one', () => {
    const b = bundle();
    resource(b, O)['extension'] = [{ url: npr, extension: [{ url: 'other', valueString: 'x' }] }];
    expectFindings(b, [['lmdi-encounter:npr-episode-at-least-one', loc(O, 'extension[0]'), 'invariant']]);
  });

  it('the NPR extension has no value of its own', () => {
    const b = bundle();
    resource(b, O)['extension'] = [{ url: npr, valueString: 'x', extension: [{ url: 'stringIdentifier', valueString: 'E1' }] }];
    expectFindings(b, [
      ['lmdi-encounter.extension:nprEpisodeIdentifier.value[x]', loc(O, 'extension[0].valueString'), 'structure'],
      ['r4.Extension:ext-1', loc(O, 'extension[0]'), 'invariant'],
    ]);
  });

  it('stringIdentifier takes valueString', () => {
    const b = bundle();
    resource(b, O)['extension'] = [{ url: npr, extension: [{ url: 'stringIdentifier', valueInteger: 1 }] }];
    expectFindings(b, [
      ['lmdi-encounter.extension:nprEpisodeIdentifier.extension:stringIdentifier.valueString', loc(O, 'extension[0].extension[0].valueString'), 'required'],
      ['lmdi-encounter.extension:nprEpisodeIdentifier.extension:stringIdentifier.value[x]', loc(O, 'extension[0].extension[0].valueInteger'), 'structure'],
    ]);
  });

  it('one NPR extension in 1.0.7, any number in 1.1', () => {
    const b = bundle();
    const ext = { url: npr, extension: [{ url: 'uuidIdentifier', valueUuid: 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1f01' }] };
    resource(b, O)['extension'] = [ext, ext];
    expectFindings(b, [['lmdi-encounter.extension:nprEpisodeIdentifier', loc(O, 'extension'), 'structure']], '1.0.7');
    expectFindings(b, [], '1.1');
  });

  it('serviceProvider must point at an organisation', () => {
    const b = bundle();
    resource(b, O)['serviceProvider'] = { reference: b['entry'][E.lege].fullUrl };
    expectFindings(b, [['lmdi-encounter.serviceProvider', loc(O, 'serviceProvider.reference'), 'business-rule']]);
  });
});

describe('lmdi-condition', () => {
  it('a coded diagnosis for a patient is valid', () => {
    const b = bundle();
    withCondition(b);
    expectFindings(b, []);
    expectFindings(b, [], '1.1');
  });

  it('code is required', () => {
    const b = bundle();
    const C = withCondition(b);
    delete resource(b, C)['code'];
    expectFindings(b, [['lmdi-condition.code', loc(C, 'code'), 'required']]);
  });

  it('code.coding slicing is closed', () => {
    const b = bundle();
    const C = withCondition(b);
    resource(b, C)['code'].coding[0].system = 'http://hl7.org/fhir/sid/icd-10';
    expectFindings(b, [['lmdi-condition.code.coding', loc(C, 'code.coding[0].system'), 'structure']]);
  });

  it('at most one ICD-10 coding', () => {
    const b = bundle();
    const C = withCondition(b);
    const coding = resource(b, C)['code'].coding;
    coding.push({ ...coding[0], code: 'R63.4' });
    expectFindings(b, [['lmdi-condition.code.coding:ICD10', loc(C, 'code.coding'), 'structure']]);
  });

  it('an ICD-10 coding needs its code', () => {
    const b = bundle();
    const C = withCondition(b);
    delete resource(b, C)['code'].coding[0].code;
    expectFindings(b, [['lmdi-condition.code.coding:ICD10.code', loc(C, 'code.coding[0].code'), 'required']]);
  });

  it('onset[x] is forbidden', () => {
    const b = bundle();
    const C = withCondition(b);
    resource(b, C)['onsetDateTime'] = '2025-01-01';
    expectFindings(b, [['lmdi-condition.onset[x]', loc(C, 'onsetDateTime'), 'structure']]);
  });

  it('stage.assessment is forbidden (nested)', () => {
    const b = bundle();
    const C = withCondition(b);
    resource(b, C)['stage'] = [{ summary: { text: 'I' }, assessment: [{ reference: b['entry'][E.pasientA].fullUrl }] }];
    expectFindings(b, [['lmdi-condition.stage.assessment', loc(C, 'stage[0].assessment'), 'structure']]);
  });

  it('stage.summary is required in 1.1; in 1.0.7 the stage fails base R4 con-1', () => {
    const b = bundle();
    const C = withCondition(b);
    resource(b, C)['stage'] = [{ type: { text: 'klinisk' } }];
    // 1.0.7 does not require summary, but base R4 con-1 wants summary or assessment (forbidden by LMDI).
    expectFindings(b, [['r4.Condition.stage:con-1', loc(C, 'stage[0]'), 'invariant']], '1.0.7');
    expectFindings(b, [['lmdi-condition.stage.summary', loc(C, 'stage[0].summary'), 'required']], '1.1');
  });
});

describe('lmdi-medication', () => {
  const M = E.paracetamol;

  it('manufacturer is forbidden', () => {
    const b = bundle();
    resource(b, M)['manufacturer'] = { display: 'Orifarm' };
    expectFindings(b, [['lmdi-medication.manufacturer', loc(M, 'manufacturer'), 'structure']]);
  });

  it('code.text is forbidden (nested)', () => {
    const b = bundle();
    resource(b, M)['code'].text = 'Paracet';
    expectFindings(b, [['lmdi-medication.code.text', loc(M, 'code.text'), 'structure']]);
  });

  it('extension slicing is closed: only the ATC classification', () => {
    const b = bundle();
    resource(b, M)['extension'][0].url = 'http://example.org/other';
    expectFindings(b, [['lmdi-medication.extension', loc(M, 'extension[0].url'), 'structure']]);
  });

  it('the classification takes valueCodeableConcept', () => {
    const b = bundle();
    const ext = resource(b, M)['extension'][0];
    ext.valueCoding = ext.valueCodeableConcept.coding[0];
    delete ext.valueCodeableConcept;
    expectFindings(b, [
      ['lmdi-medication.extension:classification.valueCodeableConcept', loc(M, 'extension[0].valueCodeableConcept'), 'required'],
      ['lmdi-medication.extension:classification.value[x]', loc(M, 'extension[0].valueCoding'), 'structure'],
    ]);
  });

  it('at most one FEST merkevare coding', () => {
    const b = bundle();
    const coding = resource(b, M)['code'].coding;
    coding.push({ ...coding[0], code: 'ID_OTHER' });
    expectFindings(b, [['lmdi-medication.code.coding:FestLegemiddelMerkevare', loc(M, 'code.coding'), 'structure']]);
  });

  it('a local-catalogue coding needs a display (system per IG version)', () => {
    const b = bundle();
    resource(b, M)['code'].coding.push({ system: 'http://fh.no/fhir/NamingSystem/lokaltVirkemiddel', code: 'L1' });
    expectFindings(b, [['lmdi-medication.code.coding:LokaltLegemiddel.display', loc(M, 'code.coding[1].display'), 'required']], '1.0.7');
    expectFindings(b, [], '1.1');

    resource(b, M)['code'].coding[1].system = 'http://fhi.no/fhir/NamingSystem/lokaltLegemiddel';
    expectFindings(b, [['lmdi-medication.code.coding:LokaltLegemiddel.display', loc(M, 'code.coding[1].display'), 'required']], '1.1');
  });

  it('form.coding slicing is closed (Volven 7448 or SNOMED CT)', () => {
    const b = bundle();
    resource(b, M)['form'].coding[0].system = 'http://standardterms.edqm.eu';
    expectFindings(b, [['lmdi-medication.form.coding', loc(M, 'form.coding[0].system'), 'structure']]);
  });

  it('form.coding.code is required', () => {
    const b = bundle();
    delete resource(b, M)['form'].coding[0].code;
    expectFindings(b, [['lmdi-medication.form.coding.code', loc(M, 'form.coding[0].code'), 'required']]);
  });

  it('1.1 invariant lmdi-medication-code-or-ingredient', () => {
    const b = bundle();
    delete resource(b, M)['code'];
    expectFindings(b, [], '1.0.7');
    expectFindings(b, [['lmdi-medication:lmdi-medication-code-or-ingredient', `Bundle.entry[${M}].resource`, 'invariant']], '1.1');
  });

  it('ingredient.itemReference must point at a substance or medication', () => {
    const b = bundle();
    resource(b, M)['ingredient'] = [{ itemReference: { reference: b['entry'][E.pasientA].fullUrl } }];
    expectFindings(b, [['lmdi-medication.ingredient.itemReference', loc(M, 'ingredient[0].itemReference.reference'), 'business-rule']]);
  });
});

describe('lmdi-medicationadministration', () => {
  const A = E.admin;

  it('status is bound to completed | entered-in-error', () => {
    const b = bundle();
    resource(b, A)['status'] = 'stopped';
    expectFindings(b, [['lmdi-medicationadministration.status', loc(A, 'status'), 'code-invalid']]);
  });

  it('accepts entered-in-error (retraction)', () => {
    const b = bundle();
    resource(b, A)['status'] = 'entered-in-error';
    expectFindings(b, []);
  });

  it('effective[x] is required', () => {
    const b = bundle();
    delete resource(b, A)['effectiveDateTime'];
    expectFindings(b, [['lmdi-medicationadministration.effective[x]', loc(A, 'effective[x]'), 'required']]);
  });

  it('invariant time-required on effectiveDateTime (both versions)', () => {
    const b = bundle();
    resource(b, A)['effectiveDateTime'] = '2025-03-10';
    expectFindings(b, [['lmdi-medicationadministration:time-required', loc(A, 'effectiveDateTime'), 'invariant']], '1.0.7');
    expectFindings(b, [['lmdi-medicationadministration:time-required', loc(A, 'effectiveDateTime'), 'invariant']], '1.1');
  });

  it('accepts a full period', () => {
    const b = bundle();
    const r = resource(b, A);
    delete r['effectiveDateTime'];
    r['effectivePeriod'] = { start: '2025-03-10T08:00:00+01:00', end: '2025-03-10T08:30:00+01:00' };
    expectFindings(b, []);
  });

  it('effectivePeriod.end is required', () => {
    const b = bundle();
    const r = resource(b, A);
    delete r['effectiveDateTime'];
    r['effectivePeriod'] = { start: '2025-03-10T08:00:00+01:00' };
    expectFindings(b, [['lmdi-medicationadministration.effectivePeriod.end', loc(A, 'effectivePeriod.end'), 'required']]);
  });

  it('invariant time-required on effectivePeriod.start', () => {
    const b = bundle();
    const r = resource(b, A);
    delete r['effectiveDateTime'];
    r['effectivePeriod'] = { start: '2025-03-10', end: '2025-03-10T08:30:00+01:00' };
    // A date-only start also leaves per-1 (start <= end) empty, which FHIR validators count as failed.
    expectFindings(b, [
      ['lmdi-medicationadministration:time-required', loc(A, 'effectivePeriod.start'), 'invariant'],
      ['r4.Period:per-1', loc(A, 'effectivePeriod'), 'invariant'],
    ]);
  });

  it('dosage is required', () => {
    const b = bundle();
    delete resource(b, A)['dosage'];
    expectFindings(b, [['lmdi-medicationadministration.dosage', loc(A, 'dosage'), 'required']]);
  });

  it('dosage.dose is required', () => {
    const b = bundle();
    delete resource(b, A)['dosage'].dose;
    expectFindings(b, [['lmdi-medicationadministration.dosage.dose', loc(A, 'dosage.dose'), 'required']]);
  });

  it('dosage.text is forbidden (nested)', () => {
    const b = bundle();
    resource(b, A)['dosage'].text = '1 tablett';
    expectFindings(b, [['lmdi-medicationadministration.dosage.text', loc(A, 'dosage.text'), 'structure']]);
  });

  it('performer is forbidden', () => {
    const b = bundle();
    resource(b, A)['performer'] = [{ actor: { reference: b['entry'][E.lege].fullUrl } }];
    expectFindings(b, [['lmdi-medicationadministration.performer', loc(A, 'performer'), 'structure']]);
  });

  it('medication[x] only as a Reference', () => {
    const b = bundle();
    const r = resource(b, A);
    delete r['medicationReference'];
    r['medicationCodeableConcept'] = { text: 'Paracetamol' };
    expectFindings(b, [['lmdi-medicationadministration.medicationCodeableConcept', loc(A, 'medicationCodeableConcept'), 'structure']]);
  });

  it('medication[x] is required', () => {
    const b = bundle();
    delete resource(b, A)['medicationReference'];
    expectFindings(b, [['lmdi-medicationadministration.medication[x]', loc(A, 'medication[x]'), 'required']]);
  });

  it('subject is required', () => {
    const b = bundle();
    delete resource(b, A)['subject'];
    expectFindings(b, [['lmdi-medicationadministration.subject', loc(A, 'subject'), 'required']]);
  });

  it('dosage.route.coding slicing is closed (SNOMED CT or Volven 7477)', () => {
    const b = bundle();
    resource(b, A)['dosage'].route.coding[0].system = 'http://standardterms.edqm.eu';
    expectFindings(b, [['lmdi-medicationadministration.dosage.route.coding', loc(A, 'dosage.route.coding[0].system'), 'structure']]);
  });

  it('dosage.route.text is forbidden', () => {
    const b = bundle();
    resource(b, A)['dosage'].route.text = 'oralt';
    expectFindings(b, [['lmdi-medicationadministration.dosage.route.text', loc(A, 'dosage.route.text'), 'structure']]);
  });

  it('1.1 requires a coded route when a route is given', () => {
    const b = bundle();
    resource(b, A)['dosage'].route = { extension: [{ url: 'urn:example:route-note', valueString: 'oral' }] };
    expectFindings(b, [], '1.0.7');
    expectFindings(b, [['lmdi-medicationadministration.dosage.route.coding', loc(A, 'dosage.route.coding'), 'required']], '1.1');
  });

  it('a Volven 7477 route coding needs its code in 1.1', () => {
    const b = bundle();
    resource(b, A)['dosage'].route.coding = [{ system: 'urn:oid:2.16.578.1.12.4.1.1.7477', display: 'Oral' }];
    expectFindings(b, [], '1.0.7');
    expectFindings(b, [['lmdi-medicationadministration.dosage.route.coding:OID7477.code', loc(A, 'dosage.route.coding[0].code'), 'required']], '1.1');
  });

  it('context must point at an encounter', () => {
    const b = bundle();
    resource(b, A)['context'] = { reference: b['entry'][E.pasientA].fullUrl };
    expectFindings(b, [['lmdi-medicationadministration.context', loc(A, 'context.reference'), 'business-rule']]);
  });

  it('request must point at a medication request', () => {
    const b = bundle();
    resource(b, A)['request'] = { reference: b['entry'][E.paracetamol].fullUrl };
    expectFindings(b, [['lmdi-medicationadministration.request', loc(A, 'request.reference'), 'business-rule']]);
  });
});

describe('lmdi-medicationrequest', () => {
  const R = E.rekvA1;
  const ext = (id: string, value: Json) => ({ url: `${LMDI}${id}`, ...value });

  it('status is bound to medicationrequest-status', () => {
    const b = bundle();
    resource(b, R)['status'] = 'paused';
    expectFindings(b, [['lmdi-medicationrequest.status', loc(R, 'status'), 'code-invalid']]);
  });

  it('requester is required', () => {
    const b = bundle();
    delete resource(b, R)['requester'];
    expectFindings(b, [['lmdi-medicationrequest.requester', loc(R, 'requester'), 'required']]);
  });

  it('note is forbidden', () => {
    const b = bundle();
    resource(b, R)['note'] = [{ text: 'x' }];
    expectFindings(b, [['lmdi-medicationrequest.note', loc(R, 'note'), 'structure']]);
  });

  it('dosageInstruction.text is forbidden (nested)', () => {
    const b = bundle();
    resource(b, R)['dosageInstruction'] = [{ text: '1 tablett morgen' }];
    expectFindings(b, [['lmdi-medicationrequest.dosageInstruction.text', loc(R, 'dosageInstruction[0].text'), 'structure']]);
  });

  it('reported[x] only as boolean', () => {
    const b = bundle();
    resource(b, R)['reportedReference'] = { reference: b['entry'][E.lege].fullUrl };
    expectFindings(b, [['lmdi-medicationrequest.reportedReference', loc(R, 'reportedReference'), 'structure']]);
  });

  it('prosentvisDoseendring is in percent', () => {
    const b = bundle();
    resource(b, R)['extension'] = [ext('lmdi-prosentvis-doseendring', { valueQuantity: { value: 80, unit: '%', system: 'http://unitsofmeasure.org', code: 'mg' } })];
    expectFindings(b, [['lmdi-medicationrequest.extension:prosentvisDoseendring.valueQuantity.code', loc(R, 'extension[0].valueQuantity.code'), 'value']]);
  });

  it('kliniskStudie at most once', () => {
    const b = bundle();
    const trial = ext('lmdi-klinisk-studie', { valueBoolean: true });
    resource(b, R)['extension'] = [trial, trial];
    expectFindings(b, [['lmdi-medicationrequest.extension:kliniskStudie', loc(R, 'extension'), 'structure']]);
  });

  it('delAvBehandlingsregime takes valueString', () => {
    const b = bundle();
    resource(b, R)['extension'] = [ext('lmdi-del-av-behandlingsregime', { valueBoolean: true })];
    expectFindings(b, [['lmdi-medicationrequest.extension:delAvBehandlingsregime.value[x]', loc(R, 'extension[0].valueBoolean'), 'structure']]);
  });

  it('requester must point at a practitioner', () => {
    const b = bundle();
    resource(b, R)['requester'] = { reference: b['entry'][E.pasientA].fullUrl };
    expectFindings(b, [['lmdi-medicationrequest.requester', loc(R, 'requester.reference'), 'business-rule']]);
  });
});

describe('lmdi-substance (1.1)', () => {
  it('is not allowed in a 1.0.7 bundle, and valid in 1.1', () => {
    const b = bundle();
    const S = withSubstance(b);
    expectFindings(b, [['lmdi-bundle:lr-allowed-resources', loc(S, 'meta.profile'), 'invariant']], '1.0.7');
    expectFindings(b, [], '1.1');
  });

  it('category is required', () => {
    const b = bundle();
    const S = withSubstance(b);
    delete resource(b, S)['category'];
    expectFindings(b, [['lmdi-substance.category', loc(S, 'category'), 'required']], '1.1');
  });

  it('description is forbidden', () => {
    const b = bundle();
    const S = withSubstance(b);
    resource(b, S)['description'] = 'opioid';
    expectFindings(b, [['lmdi-substance.description', loc(S, 'description'), 'structure']], '1.1');
  });

  it('a FEST substance coding needs a display', () => {
    const b = bundle();
    const S = withSubstance(b);
    delete resource(b, S)['code'].coding[0].display;
    expectFindings(b, [['lmdi-substance.code.coding:FEST-Substance.display', loc(S, 'code.coding[0].display'), 'required']], '1.1');
  });
});
