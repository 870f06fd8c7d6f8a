/**
 * Structural validation of a LegemiddelregisterBundle (profile lmdi-bundle, LMDI IG 1.0.7).
 *
 * This is not a full FHIR validator: it checks the rules that a sender most often gets wrong and
 * that the register rejects. It never stops at the first problem, so a user can fix everything in
 * one go. Messages never contain the value of a fødselsnummer or D-nummer.
 */
import { LmdiError } from '../errors/index.js';
import { findJsonSyntaxProblem } from './json-syntax.js';
import { isValidDnummer, isValidFodselsnummer, isValidOrgNumber } from './norwegian-ids.js';

export type Severity = 'error' | 'warning';

export interface ValidationIssue {
  severity: Severity;
  /** FHIR issue type: structure, required, value, invalid, not-found, business-rule. */
  code: string;
  /** Stable rule id, e.g. 'bundle.type' or 'entry.request.method'. */
  rule: string;
  /** FHIRPath of the offending element, e.g. Bundle.entry[3].request.method. */
  location: string;
  fullUrl?: string;
  resourceType?: string;
  /** Tells a person what to change. */
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  issues: ValidationIssue[];
}

/** Thrown when the input cannot even be read as FHIR JSON. */
export class FhirInputError extends LmdiError<'FHIR_NOT_JSON'> {}

export const LMDI_PROFILE_BASE = 'http://hl7.no/fhir/ig/lmdi/StructureDefinition/';

/**
 * The profiles a bundle entry may declare, by resource type.
 * 1.0.7 allows eight. We also accept lmdi-substance (Substance), which 1.1 adds, because senders
 * that follow the newer IG would otherwise be rejected for a resource the register understands.
 */
export const LMDI_PROFILES: Readonly<Record<string, string>> = {
  Patient: 'lmdi-patient',
  Practitioner: 'lmdi-practitioner',
  Medication: 'lmdi-medication',
  MedicationAdministration: 'lmdi-medicationadministration',
  Condition: 'lmdi-condition',
  Encounter: 'lmdi-encounter',
  MedicationRequest: 'lmdi-medicationrequest',
  Organization: 'lmdi-organization',
  Substance: 'lmdi-substance',
};

export const OID_FNR = 'urn:oid:2.16.578.1.12.4.1.4.1';
export const OID_DNR = 'urn:oid:2.16.578.1.12.4.1.4.2';
export const OID_HPR = 'urn:oid:2.16.578.1.12.4.1.4.4';
export const OID_ENH = 'urn:oid:2.16.578.1.12.4.1.4.101';
export const OID_RSH = 'urn:oid:2.16.578.1.12.4.1.4.102';

/** Elements the 1.0.7 profiles set to 0..0 (top level only; patient.name has its own rule). */
const FORBIDDEN_ELEMENTS: Readonly<Record<string, readonly string[]>> = {
  Patient: [
    'text', 'active', 'telecom', 'contact', 'communication', 'generalPractitioner', 'link',
    'managingOrganization', 'maritalStatus', 'photo', 'deceasedBoolean', 'deceasedDateTime',
    'multipleBirthBoolean', 'multipleBirthInteger',
  ],
  Practitioner: [
    'text', 'name', 'telecom', 'address', 'gender', 'birthDate', 'photo', 'qualification',
    'communication', 'active',
  ],
  Medication: ['text', 'manufacturer'],
  MedicationAdministration: [
    'text', 'device', 'note', 'partOf', 'performer', 'supportingInformation', 'eventHistory',
  ],
  MedicationRequest: [
    'text', 'recorder', 'insurance', 'supportingInformation', 'performer', 'performerType', 'basedOn',
    'note', 'dispenseRequest', 'detectedIssue', 'eventHistory',
  ],
  Encounter: [
    'text', 'statusHistory', 'classHistory', 'type', 'serviceType', 'priority', 'subject',
    'episodeOfCare', 'basedOn', 'participant', 'appointment', 'period', 'length', 'reasonCode',
    'reasonReference', 'diagnosis', 'account', 'hospitalization', 'location', 'partOf',
  ],
  Organization: ['text', 'active', 'telecom', 'contact', 'endpoint'],
};

/** An instant: full date and time with seconds and a zone offset. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A dateTime that carries a time of day (profile invariant time-required) and, as FHIR demands, a zone. */
const DATETIME_WITH_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

type Json = Record<string, unknown>;

/** Where an issue is found, and for which entry. */
interface Site {
  location: string;
  fullUrl?: string;
  resourceType?: string;
}

/** Collects issues; one per problem found. */
class Collector {
  readonly issues: ValidationIssue[] = [];

  error(code: string, rule: string, site: Site, message: string): void {
    this.add('error', code, rule, site, message);
  }

  warning(code: string, rule: string, site: Site, message: string): void {
    this.add('warning', code, rule, site, message);
  }

  private add(severity: Severity, code: string, rule: string, site: Site, message: string): void {
    const issue: ValidationIssue = { severity, code, rule, location: site.location, message };
    if (site.fullUrl !== undefined) issue.fullUrl = site.fullUrl;
    if (site.resourceType !== undefined) issue.resourceType = site.resourceType;
    this.issues.push(issue);
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** FHIR lists are arrays; tolerate a missing one as empty. */
function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function at(site: Site, path: string): Site {
  return { ...site, location: `${site.location}.${path}` };
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

/** Validates a parsed bundle against the LMDI bundle rules and returns every problem found. */
export function validateBundle(bundle: unknown): ValidationResult {
  const out = new Collector();
  const root: Site = { location: 'Bundle' };

  if (!isObject(bundle)) {
    out.error('structure', 'bundle.resourceType', root, 'The input must be a JSON object with resourceType "Bundle".');
    return finish(out);
  }

  checkBundleHeader(bundle, out);
  const entries = checkEntryList(bundle, out);

  const fullUrls = collectFullUrls(entries, out);
  entries.forEach((entry, index) => checkEntry(entry, index, fullUrls, out));

  return finish(out);
}

function finish(out: Collector): ValidationResult {
  return { valid: !out.issues.some((i) => i.severity === 'error'), issues: out.issues };
}

// ---------------------------------------------------------------------------------------------
// Bundle level
// ---------------------------------------------------------------------------------------------

function checkBundleHeader(bundle: Json, out: Collector): void {
  const root: Site = { location: 'Bundle' };

  if (bundle['resourceType'] !== 'Bundle') {
    out.error('structure', 'bundle.resourceType', at(root, 'resourceType'), 'Set resourceType to "Bundle"; LMDI deliveries are a Bundle.');
  }

  if (bundle['type'] !== 'transaction') {
    out.error('value', 'bundle.type', at(root, 'type'), 'Set Bundle.type to "transaction"; the register accepts no other bundle type.');
  }

  checkBundleIdentifier(bundle['identifier'], out);
  checkBundleTimestamp(bundle['timestamp'], out);

  // The register computes these itself; a sender must not send them.
  if (bundle['total'] !== undefined) {
    out.error('structure', 'bundle.total', at(root, 'total'), 'Remove Bundle.total; it is not allowed in a transaction sent to the register.');
  }
  if (bundle['link'] !== undefined) {
    out.error('structure', 'bundle.link', at(root, 'link'), 'Remove Bundle.link; it is not allowed in a transaction sent to the register.');
  }
}

function checkBundleIdentifier(identifier: unknown, out: Collector): void {
  const site: Site = { location: 'Bundle.identifier' };

  if (identifier === undefined) {
    out.error('required', 'bundle.identifier', site, 'Add Bundle.identifier with a system and a value that identify this delivery.');
    return;
  }
  if (!isObject(identifier) || !isNonEmptyString(identifier['system']) || !isNonEmptyString(identifier['value'])) {
    out.error('required', 'bundle.identifier', site, 'Bundle.identifier must be a single object with both system and value filled in.');
  }
}

function checkBundleTimestamp(timestamp: unknown, out: Collector): void {
  const site: Site = { location: 'Bundle.timestamp' };

  if (timestamp === undefined) {
    out.error('required', 'bundle.timestamp', site, 'Add Bundle.timestamp: the time the bundle was assembled, e.g. 2025-03-10T13:28:17+01:00.');
    return;
  }
  if (typeof timestamp !== 'string' || !INSTANT.test(timestamp)) {
    out.error('value', 'bundle.timestamp', site, 'Bundle.timestamp must be an instant with date, time to the second and a zone offset, e.g. 2025-03-10T13:28:17+01:00.');
  }
}

function checkEntryList(bundle: Json, out: Collector): unknown[] {
  const entry = bundle['entry'];

  if (!Array.isArray(entry) || entry.length === 0) {
    out.error('required', 'bundle.entry', { location: 'Bundle.entry' }, 'The bundle must contain at least one entry.');
    return [];
  }
  return entry;
}

/** Maps every fullUrl to the entry index holding it; reports missing and duplicate fullUrls. */
function collectFullUrls(entries: unknown[], out: Collector): Map<string, number> {
  const seen = new Map<string, number>();

  entries.forEach((entry, index) => {
    const site = entrySite(entry, index);
    const fullUrl = isObject(entry) ? entry['fullUrl'] : undefined;

    if (!isNonEmptyString(fullUrl)) {
      out.warning('required', 'entry.fullUrl', at(site, 'fullUrl'), 'Give the entry a fullUrl (urn:uuid:<uuid>) so other entries can reference it.');
      return;
    }

    const first = seen.get(fullUrl);
    if (first !== undefined) {
      out.error('invalid', 'entry.fullUrl.unique', at(site, 'fullUrl'), `This fullUrl is also used by Bundle.entry[${first}]; every entry needs its own fullUrl.`);
      return;
    }
    seen.set(fullUrl, index);
  });

  return seen;
}

function entrySite(entry: unknown, index: number): Site {
  const site: Site = { location: `Bundle.entry[${index}]` };
  if (!isObject(entry)) return site;

  if (isNonEmptyString(entry['fullUrl'])) site.fullUrl = entry['fullUrl'];
  const resource = entry['resource'];
  if (isObject(resource) && isNonEmptyString(resource['resourceType'])) site.resourceType = resource['resourceType'];
  return site;
}

// ---------------------------------------------------------------------------------------------
// Entry level
// ---------------------------------------------------------------------------------------------

function checkEntry(entry: unknown, index: number, fullUrls: Map<string, number>, out: Collector): void {
  const site = entrySite(entry, index);

  if (!isObject(entry)) {
    out.error('structure', 'entry.resource', site, 'Each entry must be an object with fullUrl, resource and request.');
    return;
  }

  checkRequest(entry['request'], at(site, 'request'), out);

  const resource = entry['resource'];
  if (!isObject(resource)) {
    out.error('required', 'entry.resource', at(site, 'resource'), 'Add the resource this entry carries.');
    return;
  }

  checkResource(resource, at(site, 'resource'), fullUrls, out);
}

function checkRequest(request: unknown, site: Site, out: Collector): void {
  if (!isObject(request)) {
    out.error('required', 'entry.request', site, 'Add entry.request with method "POST" and a url (the resource type, e.g. "Patient").');
    return;
  }

  if (request['method'] !== 'POST') {
    out.error('value', 'entry.request.method', at(site, 'method'), 'Set request.method to "POST"; the register only accepts new records (retract with status entered-in-error).');
  }

  if (!isNonEmptyString(request['url'])) {
    out.error('required', 'entry.request.url', at(site, 'url'), 'Add request.url; its value is not used, so the resource type (e.g. "MedicationAdministration") is fine.');
  }
}

// ---------------------------------------------------------------------------------------------
// Resource level
// ---------------------------------------------------------------------------------------------

function checkResource(resource: Json, site: Site, fullUrls: Map<string, number>, out: Collector): void {
  const type = resource['resourceType'];

  if (!isNonEmptyString(type)) {
    out.error('required', 'entry.resourceType', at(site, 'resourceType'), 'Add resourceType to the resource.');
  }

  checkProfile(resource, site, out);
  checkForbiddenElements(resource, site, out);
  checkReferences(resource, site, fullUrls, out);

  const typeCheck = TYPE_CHECKS[typeof type === 'string' ? type : ''];
  if (typeCheck) typeCheck(resource, site, out);
}

function checkProfile(resource: Json, site: Site, out: Collector): void {
  const type = resource['resourceType'];
  const expectedId = typeof type === 'string' ? LMDI_PROFILES[type] : undefined;
  const location = at(site, 'meta.profile');

  if (expectedId === undefined) {
    const allowed = Object.keys(LMDI_PROFILES).join(', ');
    out.error('business-rule', 'entry.profile', location, `Resource type ${String(type)} is not allowed in an LMDI bundle; allowed types are ${allowed}.`);
    return;
  }

  const expected = `${LMDI_PROFILE_BASE}${expectedId}`;
  const declared = asArray(isObject(resource['meta']) ? resource['meta']['profile'] : undefined);

  // A versioned canonical (…|1.0.7) names the same profile.
  const matches = declared.some((p) => typeof p === 'string' && (p === expected || p.startsWith(`${expected}|`)));
  if (!matches) {
    out.error('business-rule', 'entry.profile', location, `Declare the LMDI profile in meta.profile: "${expected}".`);
  }
}

function checkForbiddenElements(resource: Json, site: Site, out: Collector): void {
  const type = resource['resourceType'];
  const forbidden = typeof type === 'string' ? FORBIDDEN_ELEMENTS[type] : undefined;

  for (const name of forbidden ?? []) {
    if (resource[name] !== undefined) {
      out.error('structure', 'profile.forbidden-element', at(site, name), `Remove ${type as string}.${name}; the LMDI profile does not allow it.`);
    }
  }
}

/** Every urn:uuid reference, anywhere in the resource, must point at an entry in this bundle. */
function checkReferences(resource: Json, site: Site, fullUrls: Map<string, number>, out: Collector): void {
  walkReferences(resource, site.location, (reference, location) => {
    if (reference.startsWith('urn:uuid:') && !fullUrls.has(reference)) {
      out.error('not-found', 'reference.unresolved', { ...site, location }, `No entry in the bundle has fullUrl ${reference}; add that entry or fix the reference.`);
    }
  });
}

function walkReferences(value: unknown, path: string, visit: (reference: string, location: string) => void): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walkReferences(item, `${path}[${i}]`, visit));
    return;
  }
  if (!isObject(value)) return;

  for (const [key, child] of Object.entries(value)) {
    if (key === 'reference' && typeof child === 'string') visit(child, `${path}.reference`);
    else walkReferences(child, `${path}.${key}`, visit);
  }
}

// ---------------------------------------------------------------------------------------------
// Per-profile rules
// ---------------------------------------------------------------------------------------------

type TypeCheck = (resource: Json, site: Site, out: Collector) => void;

const TYPE_CHECKS: Readonly<Record<string, TypeCheck>> = {
  MedicationAdministration: checkAdministration,
  MedicationRequest: checkMedicationRequest,
  Patient: checkPatient,
  Organization: checkOrganization,
};

function hasReference(value: unknown): boolean {
  return isObject(value) && (isNonEmptyString(value['reference']) || isObject(value['identifier']));
}

function checkAdministration(resource: Json, site: Site, out: Collector): void {
  const status = resource['status'];
  if (status !== 'completed' && status !== 'entered-in-error') {
    out.error('value', 'medicationadministration.status', at(site, 'status'), 'Set status to "completed", or "entered-in-error" to retract an earlier record.');
  }

  checkEffective(resource, site, out);

  const dosage = resource['dosage'];
  if (!isObject(dosage) || !isObject(dosage['dose'])) {
    out.error('required', 'medicationadministration.dosage.dose', at(site, 'dosage.dose'), 'Add dosage.dose: the amount given, e.g. {"value": 10, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}.');
  } else if (dosage['text'] !== undefined) {
    out.error('structure', 'profile.forbidden-element', at(site, 'dosage.text'), 'Remove dosage.text; the LMDI profile does not allow it (use dosage.dose).');
  }

  if (!hasReference(resource['subject'])) {
    out.error('required', 'medicationadministration.subject', at(site, 'subject'), 'Add subject: a reference to the Patient who received the medication.');
  }
  // The profiles allow medication[x] only as a Reference to an lmdi-medication.
  if (!hasReference(resource['medicationReference'])) {
    out.error('required', 'medicationadministration.medication', at(site, 'medicationReference'), 'Add medicationReference pointing at the Medication entry that was given.');
  }
}

function checkEffective(resource: Json, site: Site, out: Collector): void {
  const dateTime = resource['effectiveDateTime'];
  const period = resource['effectivePeriod'];
  const rule = 'medicationadministration.effective';

  if (dateTime === undefined && period === undefined) {
    out.error('required', rule, at(site, 'effective[x]'), 'Add effectiveDateTime (or effectivePeriod with start and end): when the medication was given, with time of day.');
    return;
  }

  if (dateTime !== undefined && (typeof dateTime !== 'string' || !DATETIME_WITH_TIME.test(dateTime))) {
    out.error('value', rule, at(site, 'effectiveDateTime'), 'effectiveDateTime must include a time of day and zone, e.g. 2025-03-10T08:30:00+01:00; a date alone is not enough.');
  }

  if (period !== undefined) {
    for (const end of ['start', 'end'] as const) {
      const value = isObject(period) ? period[end] : undefined;
      if (typeof value !== 'string' || !DATETIME_WITH_TIME.test(value)) {
        out.error('value', rule, at(site, `effectivePeriod.${end}`), `effectivePeriod.${end} is required and must include a time of day and zone, e.g. 2025-03-10T08:30:00+01:00.`);
      }
    }
  }
}

function checkMedicationRequest(resource: Json, site: Site, out: Collector): void {
  const required: Array<[string, string]> = [
    ['subject', 'a reference to the Patient'],
    ['requester', 'a reference to the Practitioner who prescribed'],
  ];
  for (const [name, what] of required) {
    if (!hasReference(resource[name])) {
      out.error('required', `medicationrequest.${name}`, at(site, name), `Add ${name}: ${what}.`);
    }
  }

  // The profiles allow medication[x] only as a Reference to an lmdi-medication.
  if (!hasReference(resource['medicationReference'])) {
    out.error('required', 'medicationrequest.medication', at(site, 'medicationReference'), 'Add medicationReference pointing at the Medication entry that was prescribed.');
  }
}

function checkPatient(resource: Json, site: Site, out: Collector): void {
  if (resource['name'] !== undefined) {
    out.error('structure', 'patient.name', at(site, 'name'), 'Remove Patient.name; the register must not receive patient names.');
  }

  // identifier is optional (patients without a national id are allowed), but if present it must be FNR or DNR.
  asArray(resource['identifier']).forEach((identifier, i) => checkPatientIdentifier(identifier, at(site, `identifier[${i}]`), out));
}

function checkPatientIdentifier(identifier: unknown, site: Site, out: Collector): void {
  const system = isObject(identifier) ? identifier['system'] : undefined;
  const value = isObject(identifier) ? identifier['value'] : undefined;

  if (system !== OID_FNR && system !== OID_DNR) {
    out.error('value', 'patient.identifier.system', at(site, 'system'), `Patient.identifier.system must be ${OID_FNR} (fødselsnummer) or ${OID_DNR} (D-nummer).`);
    return;
  }

  // Never echo the value: it is personal data.
  const kind = system === OID_FNR ? 'fødselsnummer' : 'D-nummer';
  const valid = system === OID_FNR ? isValidFodselsnummer : isValidDnummer;
  const location = at(site, 'value');

  if (typeof value !== 'string' || !/^\d{11}$/.test(value)) {
    out.error('value', 'patient.identifier.value', location, `The ${kind} at ${location.location} must be exactly 11 digits.`);
  } else if (!valid(value)) {
    out.error('value', 'patient.identifier.checkdigits', location, `The ${kind} at ${location.location} fails its check digits; check that the number was typed correctly.`);
  }
}

function checkOrganization(resource: Json, site: Site, out: Collector): void {
  if (!isNonEmptyString(resource['name'])) {
    out.error('required', 'organization.name', at(site, 'name'), 'Add Organization.name: the official name of the unit.');
  }

  asArray(resource['identifier']).forEach((identifier, i) => {
    if (!isObject(identifier) || identifier['system'] !== OID_ENH) return;

    const value = identifier['value'];
    if (typeof value !== 'string' || !isValidOrgNumber(value)) {
      const location = at(site, `identifier[${i}].value`);
      out.error('value', 'organization.identifier.enh', location, `The organisation number at ${location.location} must be 9 digits with a valid mod-11 check digit (see Enhetsregisteret).`);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// JSON input and OperationOutcome output
// ---------------------------------------------------------------------------------------------

/**
 * Parses bundle JSON. On a syntax error throws FhirInputError (FHIR_NOT_JSON) naming `source`
 * and the line/column of the error.
 */
export function parseBundleJson(text: string, source: string): unknown {
  // A UTF-8 byte order mark is common from Windows tools and harmless.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;

  try {
    return JSON.parse(body);
  } catch (cause) {
    const problem = findJsonSyntaxProblem(body);
    const where = problem ? ` at line ${problem.line}, column ${problem.column}: ${problem.reason}` : '';
    throw new FhirInputError('FHIR_NOT_JSON', `${source} is not valid JSON${where}.`, { cause });
  }
}

/** Turns issues into a FHIR R4 OperationOutcome. */
export function toOperationOutcome(issues: ValidationIssue[]): object {
  if (issues.length === 0) {
    return {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'information', code: 'informational', details: { text: 'The bundle passed all LMDI checks.' } }],
    };
  }

  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({
      severity: i.severity,
      code: i.code,
      details: { text: i.message },
      diagnostics: i.rule,
      expression: [i.location],
    })),
  };
}
