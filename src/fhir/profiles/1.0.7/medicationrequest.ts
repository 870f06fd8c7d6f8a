/** lmdi-medicationrequest (Legemiddelrekvirering), IG 1.0.7: the order, by whom, for whom. */
import { EXT_CLINICAL_TRIAL, EXT_PERCENT_DOSE_CHANGE, EXT_TREATMENT_REGIMEN, UCUM } from '../common/systems.js';
import type { ProfileSpec, SliceGroup } from '../rules.js';

/** The three LMDI extensions of a request (open slicing: other extensions are allowed). */
export const REQUEST_EXTENSIONS: SliceGroup = {
  path: 'extension',
  discriminator: 'url',
  rules: 'open',
  slices: [
    {
      name: 'prosentvisDoseendring',
      value: EXT_PERCENT_DOSE_CHANGE,
      max: 1,
      rules: {
        valueType: 'valueQuantity',
        required: [{ path: 'valueQuantity', hint: 'the dose change in percent, e.g. {"value": 80, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"}.' }],
        fixed: [
          { path: 'valueQuantity.system', value: UCUM },
          { path: 'valueQuantity.code', value: '%' },
          { path: 'valueQuantity.unit', value: '%' },
        ],
      },
    },
    { name: 'delAvBehandlingsregime', value: EXT_TREATMENT_REGIMEN, max: 1, rules: { valueType: 'valueString' } },
    { name: 'kliniskStudie', value: EXT_CLINICAL_TRIAL, max: 1, rules: { valueType: 'valueBoolean' } },
  ],
};

/** medicationrequest-status (R4, required), written out. */
export const REQUEST_STATUS = {
  path: 'status',
  valueSet: 'medicationrequest-status',
  codes: ['active', 'on-hold', 'cancelled', 'completed', 'entered-in-error', 'stopped', 'draft', 'unknown'],
} as const;

export const medicationRequest: ProfileSpec = {
  id: 'lmdi-medicationrequest',
  resourceType: 'MedicationRequest',
  forbidden: [
    'text', 'recorder', 'insurance', 'supportingInformation', 'performer', 'performerType', 'basedOn', 'note',
    'dispenseRequest', 'detectedIssue', 'eventHistory', 'dosageInstruction.text', 'dosageInstruction.patientInstruction',
    // medication[x] only Reference(Legemiddel); reported[x] only boolean
    'medicationCodeableConcept', 'reportedReference',
  ],
  required: [
    { path: 'status', hint: 'the status of the order, e.g. "active".' },
    { path: 'intent', hint: 'the intent, e.g. "order".' },
    { path: 'medication[x]', hint: 'medicationReference pointing at the Medication entry that was prescribed.' },
    { path: 'subject', hint: 'a reference to the Patient.' },
    { path: 'requester', hint: 'a reference to the Practitioner who prescribed.' },
  ],
  bindings: [REQUEST_STATUS],
  slices: [REQUEST_EXTENSIONS],
  references: [
    { path: 'medicationReference', targets: ['lmdi-medication'] },
    { path: 'subject', targets: ['lmdi-patient'] },
    { path: 'requester', targets: ['lmdi-practitioner'] },
    { path: 'encounter', targets: ['lmdi-encounter'] },
    { path: 'reasonReference', targets: ['lmdi-condition'] },
    { path: 'priorPrescription', targets: ['lmdi-medicationrequest'] },
  ],
};
