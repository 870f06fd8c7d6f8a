/**
 * A small, realistic LMDI delivery: one day at a Norwegian nursing home (sykehjem).
 *
 * All people and numbers are synthetic. Person and organisation numbers are generated with valid
 * check digits so the bundle passes validation, but they are not taken from any register.
 */
import { LMDI_PROFILE_BASE, OID_DNR, OID_ENH, OID_FNR, OID_HPR } from './validate-bundle.js';
import { withOrgCheckDigit, withPersonCheckDigits } from './norwegian-ids.js';

const UCUM = 'http://unitsofmeasure.org';
const SNOMED = 'http://snomed.info/sct';
const ATC = 'http://www.whocc.no/atc';
const FEST_MERKEVARE = 'http://dmp.no/fhir/NamingSystem/festLegemiddelMerkevare';
const MUNICIPALITY_CODES = 'urn:oid:2.16.578.1.12.4.1.1.3402';
const EXT_MUNICIPALITY = 'http://hl7.no/fhir/StructureDefinition/no-basis-municipalitycode';
const EXT_CLASSIFICATION = `${LMDI_PROFILE_BASE}legemiddel-classification`;

/** Fixed fullUrls so the sample is stable between runs. */
const ID = {
  kommune: 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1c01',
  sykehjem: 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1c02',
  lege: 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1c03',
  pasientA: 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1c04',
  pasientB: 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1c05',
  oppholdA: 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1c06',
  oppholdB: 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1c07',
  paracetamol: 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1c08',
  metoprolol: 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1c09',
  furosemid: 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1c0a',
  rekvA1: 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1c0b',
  rekvA2: 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1c0c',
  rekvB1: 'urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1c0d',
} as const;

/** The organisation number of the sample's reporting municipality: the demo's sender. */
export const SAMPLE_SENDER_ORG_NUMBER = syntheticOrgNumber('96410000');

/** Builds the sample bundle; administrations are dated the day before `now` (a daily delivery). */
export function sampleBundle(now: Date = new Date()): object {
  const day = previousDay(now);

  const entries = [
    organisations(),
    [practitioner()],
    patients(),
    encounters(),
    medications(),
    medicationRequests(day),
    administrations(day),
  ].flat();

  return {
    resourceType: 'Bundle',
    meta: { profile: [`${LMDI_PROFILE_BASE}lmdi-bundle`] },
    identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:7d3c5a10-8f2e-4c6b-a1d9-${stamp(now)}` },
    type: 'transaction',
    timestamp: instant(now),
    entry: entries,
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function entry(fullUrl: string, resource: Record<string, unknown>): object {
  const type = resource['resourceType'] as string;
  return { fullUrl, resource, request: { method: 'POST', url: type } };
}

function profile(id: string): { profile: string[] } {
  return { profile: [`${LMDI_PROFILE_BASE}${id}`] };
}

function ref(fullUrl: string): { reference: string } {
  return { reference: fullUrl };
}

/** YYYY-MM-DD of the day before `now` (UTC). */
function previousDay(now: Date): string {
  return new Date(now.getTime() - 24 * 3600 * 1000).toISOString().slice(0, 10);
}

/** An instant without milliseconds noise, in UTC. */
function instant(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** 12 hex digits derived from the time, so each delivery gets its own identifier. */
function stamp(now: Date): string {
  return now.getTime().toString(16).padStart(12, '0').slice(-12);
}

/** The first synthetic person number from `base6` (DDMMYY, first digit +4 for D-nummer) with valid check digits. */
function syntheticPersonNumber(base6: string): string {
  // Individual numbers 100-499 belong to people born 1900-1999, as the sample's patients are.
  for (let individual = 100; individual < 500; individual++) {
    const candidate = withPersonCheckDigits(`${base6}${individual}`);
    if (candidate) return candidate;
  }
  throw new Error(`No valid person number for base ${base6}`);
}

/** The first synthetic organisation number from an 8-digit start with a valid check digit. */
function syntheticOrgNumber(base8: string): string {
  for (let n = Number(base8); ; n++) {
    const candidate = withOrgCheckDigit(String(n));
    if (candidate) return candidate;
  }
}

function municipalityAddress(): object {
  return {
    type: 'physical',
    district: 'Bergen',
    _district: {
      extension: [{ url: EXT_MUNICIPALITY, valueCoding: { system: MUNICIPALITY_CODES, code: '4601', display: 'Bergen' } }],
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

function organisations(): object[] {
  const kommune = {
    resourceType: 'Organization',
    meta: profile('lmdi-organization'),
    identifier: [{ system: OID_ENH, value: SAMPLE_SENDER_ORG_NUMBER }],
    name: 'Fjordvik kommune',
    address: [municipalityAddress()],
  };

  // The home is where the administrations happen, so it carries its own ENH number too.
  const sykehjem = {
    resourceType: 'Organization',
    meta: profile('lmdi-organization'),
    identifier: [{ system: OID_ENH, value: syntheticOrgNumber('97420000') }],
    name: 'Solbakken sykehjem',
    address: [municipalityAddress()],
    partOf: ref(ID.kommune),
  };

  return [entry(ID.kommune, kommune), entry(ID.sykehjem, sykehjem)];
}

function practitioner(): object {
  // Only the HPR number: the profile forbids name, contact details and qualifications.
  return entry(ID.lege, {
    resourceType: 'Practitioner',
    meta: profile('lmdi-practitioner'),
    identifier: [{ system: OID_HPR, value: '4821637' }],
  });
}

function patients(): object[] {
  // Born 3 Feb 1938; the D-nummer holder 21 Nov 1945 (first digit +4).
  const a = {
    resourceType: 'Patient',
    meta: profile('lmdi-patient'),
    identifier: [{ system: OID_FNR, value: syntheticPersonNumber('030238') }],
    gender: 'female',
    birthDate: '1938-02-03',
    address: [{ use: 'home', ...municipalityAddress() }],
  };
  const b = {
    resourceType: 'Patient',
    meta: profile('lmdi-patient'),
    identifier: [{ system: OID_DNR, value: syntheticPersonNumber('611145') }],
    gender: 'male',
    birthDate: '1945-11-21',
    address: [{ use: 'temp', ...municipalityAddress() }],
  };
  return [entry(ID.pasientA, a), entry(ID.pasientB, b)];
}

function encounters(): object[] {
  // Long-term stay at the home; the profile forbids subject and period, so only status, class and place.
  const stay = () => ({
    resourceType: 'Encounter',
    meta: profile('lmdi-encounter'),
    status: 'in-progress',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP', display: 'inpatient encounter' },
    serviceProvider: ref(ID.sykehjem),
  });
  return [entry(ID.oppholdA, stay()), entry(ID.oppholdB, stay())];
}

interface Drug {
  fullUrl: string;
  festId: string;
  name: string;
  atc: string;
  atcName: string;
}

const DRUGS: readonly Drug[] = [
  { fullUrl: ID.paracetamol, festId: 'ID_5B1E0C2A-7D44-4F1B-8A0E-3C9D2B6F1A01', name: 'Paracetamol tablett 500 mg', atc: 'N02BE01', atcName: 'Paracetamol' },
  { fullUrl: ID.metoprolol, festId: 'ID_5B1E0C2A-7D44-4F1B-8A0E-3C9D2B6F1A02', name: 'Metoprolol depottablett 50 mg', atc: 'C07AB02', atcName: 'Metoprolol' },
  { fullUrl: ID.furosemid, festId: 'ID_5B1E0C2A-7D44-4F1B-8A0E-3C9D2B6F1A03', name: 'Furosemid tablett 40 mg', atc: 'C03CA01', atcName: 'Furosemid' },
];

function medications(): object[] {
  return DRUGS.map((drug) =>
    entry(drug.fullUrl, {
      resourceType: 'Medication',
      meta: profile('lmdi-medication'),
      extension: [{ url: EXT_CLASSIFICATION, valueCodeableConcept: { coding: [{ system: ATC, code: drug.atc, display: drug.atcName }] } }],
      code: { coding: [{ system: FEST_MERKEVARE, code: drug.festId, display: drug.name }] },
      form: { coding: [{ system: SNOMED, code: '385055001', display: 'Tablet' }] },
    }),
  );
}

function medicationRequests(day: string): object[] {
  // Standing orders written by the nursing-home doctor a month earlier.
  const authoredOn = `${day.slice(0, 8)}01`;
  const request = (medication: string, patient: string, encounter: string) => ({
    resourceType: 'MedicationRequest',
    meta: profile('lmdi-medicationrequest'),
    status: 'active',
    intent: 'order',
    medicationReference: ref(medication),
    subject: ref(patient),
    encounter: ref(encounter),
    authoredOn,
    requester: ref(ID.lege),
    courseOfTherapyType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy', code: 'continuous' }] },
  });

  return [
    entry(ID.rekvA1, request(ID.paracetamol, ID.pasientA, ID.oppholdA)),
    entry(ID.rekvA2, request(ID.metoprolol, ID.pasientA, ID.oppholdA)),
    entry(ID.rekvB1, request(ID.furosemid, ID.pasientB, ID.oppholdB)),
  ];
}

interface Dose {
  at: string;
  request: string;
  medication: string;
  patient: string;
  encounter: string;
  mg: number;
}

function administrations(day: string): object[] {
  // Morning and evening rounds; times in Norwegian winter time.
  const doses: Dose[] = [
    { at: '08:05', request: ID.rekvA1, medication: ID.paracetamol, patient: ID.pasientA, encounter: ID.oppholdA, mg: 1000 },
    { at: '08:05', request: ID.rekvA2, medication: ID.metoprolol, patient: ID.pasientA, encounter: ID.oppholdA, mg: 50 },
    { at: '14:10', request: ID.rekvA1, medication: ID.paracetamol, patient: ID.pasientA, encounter: ID.oppholdA, mg: 1000 },
    { at: '20:00', request: ID.rekvA1, medication: ID.paracetamol, patient: ID.pasientA, encounter: ID.oppholdA, mg: 1000 },
    { at: '08:20', request: ID.rekvB1, medication: ID.furosemid, patient: ID.pasientB, encounter: ID.oppholdB, mg: 40 },
  ];

  return doses.map((dose, i) => {
    const fullUrl = `urn:uuid:0c6f1d2e-5a43-4b7e-9d11-2f6a8e3b1d${String(i).padStart(2, '0')}`;
    return entry(fullUrl, administration(day, dose));
  });
}

function administration(day: string, dose: Dose): Record<string, unknown> {
  return {
    resourceType: 'MedicationAdministration',
    meta: profile('lmdi-medicationadministration'),
    status: 'completed',
    medicationReference: ref(dose.medication),
    subject: ref(dose.patient),
    context: ref(dose.encounter),
    effectiveDateTime: `${day}T${dose.at}:00+01:00`,
    request: ref(dose.request),
    dosage: {
      route: { coding: [{ system: SNOMED, code: '26643006', display: 'Oral route' }] },
      dose: { value: dose.mg, unit: 'mg', system: UCUM, code: 'mg' },
    },
  };
}
