/** lmdi-medicationadministration (Legemiddeladministrering), IG 1.0.7: the core resource of a delivery. */
import { OID_ROUTE, SNOMED } from '../common/systems.js';
import type { InvariantSpec, ProfileSpec, SliceGroup } from '../rules.js';

/** The IG's invariant time-required, as 1.0.7 writes it; 1.1 adds toString(). */
export function timeRequired(path: string, expression: string): InvariantSpec {
  return {
    key: 'time-required',
    severity: 'error',
    path,
    type: 'dateTime',
    expression,
    message: 'Give the time of day, not only the date, e.g. 2025-03-10T08:30:00+01:00.',
  };
}

export const TIME_REQUIRED_1_0_7 = "$this.matches('^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}.*$')";

export const ADMINISTRATION_STATUS = { path: 'status', valueSet: 'lmdi-medicationadministrationstatus', codes: ['completed', 'entered-in-error'] } as const;

/**
 * dosage.route.coding, closed: SNOMED CT (code required) and Volven 7477 (named "7477" in 1.0.7,
 * "OID7477" with its code required in 1.1).
 */
export function routeSlices(oidSliceName: string, oidCodeRequired: boolean): SliceGroup {
  return {
    path: 'dosage.route.coding',
    discriminator: 'system',
    rules: 'closed',
    slices: [
      // The SNOMED CT code is bound (required) to the HL7 route-codes value set, which is defined by
      // a SNOMED hierarchy; checking membership needs a terminology server and is not done here.
      { name: 'SCT', value: SNOMED, max: 1, rules: { required: [{ path: 'code', hint: 'the SNOMED CT route code.' }] } },
      { name: oidSliceName, value: OID_ROUTE, max: 1, ...(oidCodeRequired ? { rules: { required: [{ path: 'code', hint: 'the Volven 7477 route code.' }] } } : {}) },
    ],
  };
}

export const medicationAdministration: ProfileSpec = {
  id: 'lmdi-medicationadministration',
  resourceType: 'MedicationAdministration',
  forbidden: [
    'device', 'note', 'partOf', 'performer', 'supportingInformation', 'text', 'eventHistory', 'dosage.text',
    'dosage.route.text',
    // medication[x] only Reference(Legemiddel)
    'medicationCodeableConcept',
  ],
  required: [
    { path: 'effective[x]', hint: 'when the medication was given: effectiveDateTime with time of day, or effectivePeriod with start and end.' },
    { path: 'medication[x]', hint: 'medicationReference pointing at the Medication entry that was given.' },
    { path: 'subject', hint: 'a reference to the Patient who received the medication.' },
    // The profile makes dose 1..1 inside dosage; the IG text (and the register) require the dose, so dosage is required too.
    { path: 'dosage', hint: 'the dosage with the dose given, e.g. {"dose": {"value": 10, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}}.' },
    { path: 'dosage.dose', hint: 'the amount given, e.g. {"value": 10, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}.' },
    { path: 'effectivePeriod.start', hint: 'the start time, with time of day.' },
    { path: 'effectivePeriod.end', hint: 'the end time, with time of day.' },
  ],
  bindings: [ADMINISTRATION_STATUS],
  slices: [routeSlices('7477', false)],
  references: [
    { path: 'subject', targets: ['lmdi-patient'] },
    { path: 'medicationReference', targets: ['lmdi-medication'] },
    { path: 'context', targets: ['lmdi-encounter'] },
    { path: 'request', targets: ['lmdi-medicationrequest'] },
    { path: 'reasonReference', targets: ['lmdi-condition'] },
  ],
  invariants: [
    timeRequired('effectiveDateTime', TIME_REQUIRED_1_0_7),
    timeRequired('effectivePeriod.start', TIME_REQUIRED_1_0_7),
    timeRequired('effectivePeriod.end', TIME_REQUIRED_1_0_7),
  ],
};
