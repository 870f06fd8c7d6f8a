/**
 * Generates a large, valid LMDI bundle for benchmarks: `administrations` administrations with the
 * patients, encounters, medications, requests, organisations and practitioners they reference.
 * All numbers are synthetic, with valid check digits.
 */
import { LMDI_PROFILE_BASE, OID_DNR, OID_ENH, OID_FNR, OID_HPR } from '../src/fhir/index.js';
import { withOrgCheckDigit, withPersonCheckDigits } from '../src/fhir/norwegian-ids.js';

type Json = Record<string, unknown>;

const SNOMED = 'http://snomed.info/sct';

function uuid(kind: number, n: number): string {
  return `urn:uuid:00000000-0000-4000-8${kind.toString(16).padStart(3, '0')}-${n.toString(16).padStart(12, '0')}`;
}

function entry(fullUrl: string, resource: Json): Json {
  return { fullUrl, resource, request: { method: 'POST', url: resource['resourceType'] } };
}

function meta(id: string): Json {
  return { profile: [`${LMDI_PROFILE_BASE}${id}`] };
}

/** A valid person number born in the 1900s, varied by n. */
function personNumber(n: number, dnr: boolean): string {
  const day = (n % 28) + 1 + (dnr ? 40 : 0);
  const month = (n % 12) + 1;
  const year = 20 + (n % 70);
  const base6 = `${String(day).padStart(2, '0')}${String(month).padStart(2, '0')}${String(year).padStart(2, '0')}`;
  for (let individual = 100 + (n % 300); individual < 500; individual++) {
    const candidate = withPersonCheckDigits(`${base6}${individual}`);
    if (candidate) return candidate;
  }
  for (let individual = 100; individual < 500; individual++) {
    const candidate = withPersonCheckDigits(`${base6}${individual}`);
    if (candidate) return candidate;
  }
  throw new Error(`no person number for ${base6}`);
}

function orgNumber(n: number): string {
  for (let k = 0; ; k++) {
    const candidate = withOrgCheckDigit(String(91000000 + n * 97 + k));
    if (candidate) return candidate;
  }
}

export interface GeneratedCounts {
  entries: number;
  administrations: number;
}

export function generateBundle(administrations: number): Json {
  const patients = Math.max(1, Math.floor(administrations / 10));
  const requests = Math.max(1, Math.floor(administrations / 5));
  const medications = 50;
  const organisations = 5;
  const practitioners = 20;
  const entries: Json[] = [];

  const address = { type: 'physical', district: 'Bergen', _district: { extension: [{ url: 'http://hl7.no/fhir/StructureDefinition/no-basis-municipalitycode', valueCoding: { system: 'urn:oid:2.16.578.1.12.4.1.1.3402', code: '4601' } }] } };

  for (let o = 0; o < organisations; o++) {
    entries.push(entry(uuid(1, o), {
      resourceType: 'Organization', meta: meta('lmdi-organization'),
      identifier: [{ system: OID_ENH, value: orgNumber(o) }], name: `Sykehjem ${o}`, address: [address],
      ...(o > 0 ? { partOf: { reference: uuid(1, 0) } } : {}),
    }));
  }
  for (let p = 0; p < practitioners; p++) {
    entries.push(entry(uuid(2, p), { resourceType: 'Practitioner', meta: meta('lmdi-practitioner'), identifier: [{ system: OID_HPR, value: String(1000000 + p) }] }));
  }
  for (let p = 0; p < patients; p++) {
    const dnr = p % 10 === 0;
    entries.push(entry(uuid(3, p), {
      resourceType: 'Patient', meta: meta('lmdi-patient'),
      identifier: [{ system: dnr ? OID_DNR : OID_FNR, value: personNumber(p, dnr) }],
      gender: p % 2 ? 'male' : 'female', address: [{ use: 'home', ...address }],
    }));
    entries.push(entry(uuid(4, p), {
      resourceType: 'Encounter', meta: meta('lmdi-encounter'), status: 'in-progress',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
      serviceProvider: { reference: uuid(1, p % organisations) },
    }));
  }
  for (let m = 0; m < medications; m++) {
    entries.push(entry(uuid(5, m), {
      resourceType: 'Medication', meta: meta('lmdi-medication'),
      extension: [{ url: `${LMDI_PROFILE_BASE}legemiddel-classification`, valueCodeableConcept: { coding: [{ system: 'http://www.whocc.no/atc', code: 'N02BE01' }] } }],
      code: { coding: [{ system: 'http://dmp.no/fhir/NamingSystem/festLegemiddelMerkevare', code: `ID_${m}`, display: `Legemiddel ${m}` }] },
      form: { coding: [{ system: SNOMED, code: '385055001', display: 'Tablet' }] },
    }));
  }
  for (let r = 0; r < requests; r++) {
    const patient = r % patients;
    entries.push(entry(uuid(6, r), {
      resourceType: 'MedicationRequest', meta: meta('lmdi-medicationrequest'), status: 'active', intent: 'order',
      medicationReference: { reference: uuid(5, r % medications) }, subject: { reference: uuid(3, patient) },
      encounter: { reference: uuid(4, patient) }, authoredOn: '2025-03-01', requester: { reference: uuid(2, r % practitioners) },
    }));
  }
  for (let a = 0; a < administrations; a++) {
    const request = a % requests;
    const patient = request % patients;
    const minute = String(a % 60).padStart(2, '0');
    entries.push(entry(uuid(7, a), {
      resourceType: 'MedicationAdministration', meta: meta('lmdi-medicationadministration'), status: 'completed',
      medicationReference: { reference: uuid(5, request % medications) }, subject: { reference: uuid(3, patient) },
      context: { reference: uuid(4, patient) }, effectiveDateTime: `2025-03-10T08:${minute}:00+01:00`,
      request: { reference: uuid(6, request) },
      dosage: { route: { coding: [{ system: SNOMED, code: '26643006', display: 'Oral route' }] }, dose: { value: 10, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } },
    }));
  }

  return {
    resourceType: 'Bundle', meta: meta('lmdi-bundle'),
    identifier: { system: 'urn:ietf:rfc:3986', value: uuid(0, administrations) },
    type: 'transaction', timestamp: '2025-03-11T06:00:00+01:00', entry: entries,
  };
}
