/**
 * The remaining profile rules, one broken element each, written as a table: the sample bundle
 * (valid, see validate-bundle.test.ts) is changed in one place and the exact finding is expected.
 */
import { describe, it } from 'vitest';

import type { IgVersion } from '../../src/fhir/index.js';
import { E, bundle, expectFindings, loc, resource, type Expected, type Json } from './support/bundle.js';

const LMDI = 'http://hl7.no/fhir/ig/lmdi/StructureDefinition/';
const NO_BASIS = 'http://hl7.no/fhir/StructureDefinition/';
const OID = 'urn:oid:2.16.578.1.12.4.1';

function add(b: Json, fullUrl: string, res: Json): number {
  b['entry'].push({ fullUrl, resource: res, request: { method: 'POST', url: res['resourceType'] } });
  return b['entry'].length - 1;
}

/** Entry 18 once added: a valid Condition for patient A. */
function condition(b: Json): Json {
  add(b, 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1e01', {
    resourceType: 'Condition',
    meta: { profile: [`${LMDI}lmdi-condition`] },
    subject: { reference: b['entry'][E.pasientA].fullUrl },
    code: { coding: [{ system: 'http://snomed.info/sct', code: '276241001' }] },
  });
  return resource(b, 18);
}

/** Entry 18 once added: a valid Substance (1.1). */
function substance(b: Json): Json {
  add(b, 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1e02', {
    resourceType: 'Substance',
    meta: { profile: [`${LMDI}lmdi-substance`] },
    category: [{ text: 'drug' }],
    code: { coding: [{ system: 'http://ehelse.no/fhir/CodeSystem/FEST', code: 'ID_0B1C', display: 'Oksykodon' }] },
  });
  return resource(b, 18);
}

type Case = [name: string, change: (b: Json) => void, expected: Expected[], ig?: IgVersion];

const CASES: Case[] = [
  ['an entry that is not an object', (b) => { b['entry'][17] = 'MedicationAdministration'; }, [
    ['lmdi-bundle.entry.fullUrl', 'Bundle.entry[17].fullUrl', 'required', 'warning'],
    ['lmdi-bundle.entry', 'Bundle.entry[17]', 'structure'],
  ]],
  ['an unresolved urn:oid reference', (b) => { resource(b, E.admin)['subject'] = { reference: 'urn:oid:1.2.3' }; }, [
    ['lmdi-bundle.reference/resolves', loc(E.admin, 'subject.reference'), 'not-found'],
  ]],
  ['patient identifier:HNR is forbidden', (b) => { resource(b, E.pasientA)['identifier'][0].system = 'HNR'; }, [
    ['lmdi-patient.identifier:HNR', loc(E.pasientA, 'identifier[0]'), 'structure'],
  ]],
  ['patient identifier:DNR at most once', (b) => { const ids = resource(b, E.pasientB)['identifier']; ids.push({ ...ids[0] }); }, [
    ['lmdi-patient.identifier:DNR', loc(E.pasientB, 'identifier'), 'structure'],
  ]],
  ['patient address.postalCode is forbidden', (b) => { resource(b, E.pasientA)['address'][0].postalCode = '5003'; }, [
    ['lmdi-patient.address.postalCode', loc(E.pasientA, 'address[0].postalCode'), 'structure'],
  ]],
  ['patient propertyInformation extension is forbidden', (b) => { resource(b, E.pasientA)['address'][0].extension = [{ url: `${NO_BASIS}no-basis-propertyinformation`, valueString: 'x' }]; }, [
    ['lmdi-patient.address.extension:propertyInformation', loc(E.pasientA, 'address[0].extension[0]'), 'structure'],
  ]],
  ['urban district must use Volven 3403', (b) => { resource(b, E.pasientA)['address'][0].extension = [{ url: `${NO_BASIS}no-basis-urban-district`, valueCoding: { system: `${OID}.1.3402`, code: '01' } }]; }, [
    ['lmdi-patient.address.extension:urbanDistrict.valueCoding.system', loc(E.pasientA, 'address[0].extension[0].valueCoding.system'), 'value'],
  ]],
  ['municipality extension takes valueCoding', (b) => {
    const ext = resource(b, E.pasientA)['address'][0]._district.extension[0];
    ext.valueString = '4601';
    delete ext.valueCoding;
  }, [
    ['lmdi-patient.address.district.extension:municipalitycode.valueCoding', loc(E.pasientA, 'address[0].district.extension[0].valueCoding'), 'required'],
    ['lmdi-patient.address.district.extension:municipalitycode.value[x]', loc(E.pasientA, 'address[0].district.extension[0].valueString'), 'structure'],
  ]],
  ['organisation address.city is forbidden', (b) => { resource(b, E.kommune)['address'][0].city = 'Bergen'; }, [
    ['lmdi-organization.address.city', loc(E.kommune, 'address[0].city'), 'structure'],
  ]],
  ['organisation ENH value is required', (b) => { delete resource(b, E.kommune)['identifier'][0].value; }, [
    ['lmdi-organization.identifier:ENH.value', loc(E.kommune, 'identifier[0].value'), 'required'],
  ]],
  ['practitioner identifier:DNR is forbidden', (b) => { resource(b, E.lege)['identifier'][0].system = `${OID}.4.2`; }, [
    ['lmdi-practitioner.identifier:DNR', loc(E.lege, 'identifier[0]'), 'structure'],
  ]],
  ['practitioner identifier:HPR at most once', (b) => { const ids = resource(b, E.lege)['identifier']; ids.push({ ...ids[0] }); }, [
    ['lmdi-practitioner.identifier:HPR', loc(E.lege, 'identifier'), 'structure'],
  ]],
  ['practitioner HPR value is required', (b) => { delete resource(b, E.lege)['identifier'][0].value; }, [
    ['lmdi-practitioner.identifier:HPR.value', loc(E.lege, 'identifier[0].value'), 'required'],
  ]],
  ['encounter period is forbidden', (b) => { resource(b, E.oppholdA)['period'] = { start: '2025-01-01' }; }, [
    ['lmdi-encounter.period', loc(E.oppholdA, 'period'), 'structure'],
  ]],
  ['NPR uuidIdentifier takes valueUuid', (b) => { resource(b, E.oppholdA)['extension'] = [{ url: `${LMDI}npr-episode-identifier`, extension: [{ url: 'uuidIdentifier', valueString: 'E1' }] }]; }, [
    ['lmdi-encounter.extension:nprEpisodeIdentifier.extension:uuidIdentifier.valueUuid', loc(E.oppholdA, 'extension[0].extension[0].valueUuid'), 'required'],
    ['lmdi-encounter.extension:nprEpisodeIdentifier.extension:uuidIdentifier.value[x]', loc(E.oppholdA, 'extension[0].extension[0].valueString'), 'structure'],
  ]],
  ['NPR stringIdentifier at most once', (b) => {
    const id = { url: 'stringIdentifier', valueString: 'E1' };
    resource(b, E.oppholdA)['extension'] = [{ url: `${LMDI}npr-episode-identifier`, extension: [id, id] }];
  }, [
    ['lmdi-encounter.extension:nprEpisodeIdentifier.extension:stringIdentifier', loc(E.oppholdA, 'extension[0].extension'), 'structure'],
  ]],
  ['condition subject is required', (b) => { delete condition(b)['subject']; }, [
    ['lmdi-condition.subject', loc(18, 'subject'), 'required'],
  ]],
  ['condition subject must be a patient', (b) => { condition(b)['subject'] = { reference: b['entry'][E.lege].fullUrl }; }, [
    ['lmdi-condition.subject', loc(18, 'subject.reference'), 'business-rule'],
  ]],
  ['condition SNOMED CT coding needs its code', (b) => { delete condition(b)['code'].coding[0].code; }, [
    ['lmdi-condition.code.coding:SCT.code', loc(18, 'code.coding[0].code'), 'required'],
  ]],
  ['condition category is forbidden', (b) => { condition(b)['category'] = [{ text: 'problem' }]; }, [
    ['lmdi-condition.category', loc(18, 'category'), 'structure'],
  ]],
  ['administration reasonReference must be a condition', (b) => { resource(b, E.admin)['reasonReference'] = [{ reference: b['entry'][E.pasientA].fullUrl }]; }, [
    ['lmdi-medicationadministration.reasonReference', loc(E.admin, 'reasonReference[0].reference'), 'business-rule'],
  ]],
  ['administration medicationReference must be a medication', (b) => { resource(b, E.admin)['medicationReference'] = { reference: b['entry'][E.rekvA1].fullUrl }; }, [
    ['lmdi-medicationadministration.medicationReference', loc(E.admin, 'medicationReference.reference'), 'business-rule'],
  ]],
  ['administration SNOMED CT route coding at most once', (b) => { const c = resource(b, E.admin)['dosage'].route.coding; c.push({ ...c[0], code: '421521009' }); }, [
    ['lmdi-medicationadministration.dosage.route.coding:SCT', loc(E.admin, 'dosage.route.coding'), 'structure'],
  ]],
  ['administration SNOMED CT route coding needs its code', (b) => { delete resource(b, E.admin)['dosage'].route.coding[0].code; }, [
    ['lmdi-medicationadministration.dosage.route.coding:SCT.code', loc(E.admin, 'dosage.route.coding[0].code'), 'required'],
  ]],
  ['administration effectivePeriod.end time-required (1.1 expression)', (b) => {
    const r = resource(b, E.admin);
    delete r['effectiveDateTime'];
    r['effectivePeriod'] = { start: '2025-03-10T08:00:00+01:00', end: '2025-03-10' };
  }, [
    ['lmdi-medicationadministration:time-required', loc(E.admin, 'effectivePeriod.end'), 'invariant'],
    ['r4.Period:per-1', loc(E.admin, 'effectivePeriod'), 'invariant'],
  ], '1.1'],
  ['request intent is required', (b) => { delete resource(b, E.rekvA1)['intent']; }, [
    ['lmdi-medicationrequest.intent', loc(E.rekvA1, 'intent'), 'required'],
  ]],
  ['request subject is required', (b) => { delete resource(b, E.rekvA1)['subject']; }, [
    ['lmdi-medicationrequest.subject', loc(E.rekvA1, 'subject'), 'required'],
  ]],
  ['request medication[x] is required', (b) => { delete resource(b, E.rekvA1)['medicationReference']; }, [
    ['lmdi-medicationrequest.medication[x]', loc(E.rekvA1, 'medication[x]'), 'required'],
  ]],
  ['request medication[x] only as a Reference', (b) => { const r = resource(b, E.rekvA1); delete r['medicationReference']; r['medicationCodeableConcept'] = { text: 'x' }; }, [
    ['lmdi-medicationrequest.medicationCodeableConcept', loc(E.rekvA1, 'medicationCodeableConcept'), 'structure'],
  ]],
  ['request encounter must be an encounter', (b) => { resource(b, E.rekvA1)['encounter'] = { reference: b['entry'][E.kommune].fullUrl }; }, [
    ['lmdi-medicationrequest.encounter', loc(E.rekvA1, 'encounter.reference'), 'business-rule'],
  ]],
  ['request priorPrescription must be a request', (b) => { resource(b, E.rekvA1)['priorPrescription'] = { reference: b['entry'][E.admin].fullUrl }; }, [
    ['lmdi-medicationrequest.priorPrescription', loc(E.rekvA1, 'priorPrescription'.concat('.reference')), 'business-rule'],
  ]],
  ['request medicationReference must be a medication', (b) => { resource(b, E.rekvA1)['medicationReference'] = { reference: b['entry'][E.lege].fullUrl }; }, [
    ['lmdi-medicationrequest.medicationReference', loc(E.rekvA1, 'medicationReference.reference'), 'business-rule'],
  ]],
  ['prosentvisDoseendring needs valueQuantity', (b) => { resource(b, E.rekvA1)['extension'] = [{ url: `${LMDI}lmdi-prosentvis-doseendring`, valueDecimal: 80 }]; }, [
    ['lmdi-medicationrequest.extension:prosentvisDoseendring.valueQuantity', loc(E.rekvA1, 'extension[0].valueQuantity'), 'required'],
    ['lmdi-medicationrequest.extension:prosentvisDoseendring.value[x]', loc(E.rekvA1, 'extension[0].valueDecimal'), 'structure'],
  ]],
  ['prosentvisDoseendring unit is %', (b) => { resource(b, E.rekvA1)['extension'] = [{ url: `${LMDI}lmdi-prosentvis-doseendring`, valueQuantity: { value: 80, unit: 'prosent', system: 'http://unitsofmeasure.org', code: '%' } }]; }, [
    ['lmdi-medicationrequest.extension:prosentvisDoseendring.valueQuantity.unit', loc(E.rekvA1, 'extension[0].valueQuantity.unit'), 'value'],
  ]],
  ['kliniskStudie takes valueBoolean', (b) => { resource(b, E.rekvA1)['extension'] = [{ url: `${LMDI}lmdi-klinisk-studie`, valueString: 'ja' }]; }, [
    ['lmdi-medicationrequest.extension:kliniskStudie.value[x]', loc(E.rekvA1, 'extension[0].valueString'), 'structure'],
  ]],
  ['medication form.coding is required when form is given', (b) => { resource(b, E.paracetamol)['form'] = { extension: [{ url: 'urn:example:form-note', valueString: 'tablett' }] }; }, [
    ['lmdi-medication.form.coding', loc(E.paracetamol, 'form.coding'), 'required'],
  ]],
  ['medication SNOMED CT form coding at most once', (b) => { const c = resource(b, E.paracetamol)['form'].coding; c.push({ ...c[0], code: '385057009' }); }, [
    ['lmdi-medication.form.coding:SCT', loc(E.paracetamol, 'form.coding'), 'structure'],
  ]],
  ['medication FEST coding needs its code', (b) => { delete resource(b, E.paracetamol)['code'].coding[0].code; }, [
    ['lmdi-medication.code.coding:FestLegemiddelMerkevare.code', loc(E.paracetamol, 'code.coding[0].code'), 'required'],
  ]],
  ['substance code is required', (b) => { delete substance(b)['code']; }, [
    ['lmdi-substance.code', loc(18, 'code'), 'required'],
  ], '1.1'],
  ['substance category at most one', (b) => { const s = substance(b); s['category'].push({ text: 'chemical' }); }, [
    ['lmdi-substance.category', loc(18, 'category'), 'structure'],
  ], '1.1'],
  ['substance ingredient is forbidden', (b) => { substance(b)['ingredient'] = [{ substanceCodeableConcept: { text: 'x' } }]; }, [
    ['lmdi-substance.ingredient', loc(18, 'ingredient'), 'structure'],
  ], '1.1'],
  ['substance FEST coding needs its code', (b) => { delete substance(b)['code'].coding[0].code; }, [
    ['lmdi-substance.code.coding:FEST-Substance.code', loc(18, 'code.coding[0].code'), 'required'],
  ], '1.1'],
  ['r4 positiveInt', (b) => { resource(b, E.rekvA1)['dosageInstruction'] = [{ sequence: 1.5 }]; }, [
    ['r4.Dosage.sequence', loc(E.rekvA1, 'dosageInstruction[0].sequence'), 'value'],
  ]],
  ['r4 required binding on MedicationRequest.intent', (b) => { resource(b, E.rekvA1)['intent'] = 'ordre'; }, [
    ['r4.MedicationRequest.intent', loc(E.rekvA1, 'intent'), 'code-invalid'],
  ]],
  ['r4 boolean', (b) => { resource(b, E.rekvA1)['doNotPerform'] = 'false'; }, [
    ['r4.MedicationRequest.doNotPerform', loc(E.rekvA1, 'doNotPerform'), 'structure'],
  ]],
];

describe('one rule broken at a time', () => {
  it.each(CASES)('%s', (_name, change, expected, ig) => {
    const b = bundle();
    change(b);
    expectFindings(b, expected, ig);
  });
});
