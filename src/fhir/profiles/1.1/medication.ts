/**
 * lmdi-medication, IG 1.1: the local-catalogue system is now http://fhi.no/fhir/NamingSystem/lokaltLegemiddel,
 * slices are renamed (FestLegemiddelVirkestoff, OID7448), and a medication needs a code or ingredients
 * (invariant lmdi-medication-code-or-ingredient).
 */
import { CLASSIFICATION_EXTENSIONS, formSlices, MEDICATION_CODES_VALUE_SET, medication as base, medicationCodeSlices } from '../1.0.7/medication.js';
import { FEST_DOSE, FEST_LMR_LOPENR, FEST_MERKEVARE, FEST_PAKNING, FEST_VARENUMMER, FEST_VIRKESTOFF, LOCAL_MEDICATION_1_1, SNOMED } from '../common/systems.js';
import { deriveProfile, type ProfileSpec } from '../rules.js';

export const medication: ProfileSpec = deriveProfile(base, {
  // LegemiddelKoder in 1.1 adds LMR, varenummer and the local catalogue to SNOMED CT and FEST.
  extensibleBindings: [
    {
      path: 'code',
      valueSet: MEDICATION_CODES_VALUE_SET,
      systems: [SNOMED, FEST_MERKEVARE, FEST_VIRKESTOFF, FEST_PAKNING, FEST_DOSE, FEST_LMR_LOPENR, FEST_VARENUMMER, LOCAL_MEDICATION_1_1],
    },
  ],
  slices: [
    CLASSIFICATION_EXTENSIONS,
    medicationCodeSlices('FestLegemiddelVirkestoff', LOCAL_MEDICATION_1_1),
    formSlices({ form: 'OID7448' }),
  ],
  invariants: [
    {
      key: 'lmdi-medication-code-or-ingredient',
      severity: 'error',
      path: '',
      type: 'Medication',
      expression: 'code.coding.exists() or ingredient.exists()',
      message: 'Give the medication a code.coding (FEST, SNOMED CT or local catalogue) or list its ingredients.',
    },
  ],
});
