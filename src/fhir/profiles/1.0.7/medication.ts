/** lmdi-medication (Legemiddel), IG 1.0.7: a drug coded from FEST, SNOMED CT or a local catalogue, ATC as extension. */
import {
  EXT_CLASSIFICATION,
  FEST_DOSE,
  FEST_LMR_LOPENR,
  FEST_MERKEVARE,
  FEST_PAKNING,
  FEST_VARENUMMER,
  FEST_VIRKESTOFF,
  LOCAL_MEDICATION_1_0_7,
  OID_FORM,
  SNOMED,
} from '../common/systems.js';
import type { ProfileSpec, Slice, SliceGroup } from '../rules.js';

/** The value set Medication.code is bound to (extensible) in both versions. */
export const MEDICATION_CODES_VALUE_SET = 'http://hl7.no/fhir/ig/lmdi/ValueSet/legemiddel-koder';

export function codeSlice(name: string, system: string, needsDisplay = false): Slice {
  const required = [{ path: 'code', hint: `the ${name} code.` }];
  if (needsDisplay) required.push({ path: 'display', hint: 'the product name from the local catalogue.' });
  return { name, value: system, max: 1, rules: { required } };
}

/** The ATC classification extension: one CodeableConcept value. */
export const CLASSIFICATION_EXTENSIONS: SliceGroup = {
  path: 'extension',
  discriminator: 'url',
  rules: 'closed',
  slices: [{ name: 'classification', value: EXT_CLASSIFICATION, rules: { valueType: 'valueCodeableConcept', required: [{ path: 'valueCodeableConcept', hint: 'the ATC code as a CodeableConcept.' }] } }],
};

export function formSlices(names: { form: string }): SliceGroup {
  // code and system are required on every form coding already, so the slices only limit systems and counts.
  return { path: 'form.coding', discriminator: 'system', rules: 'closed', slices: [{ name: names.form, value: OID_FORM, max: 1 }, { name: 'SCT', value: SNOMED, max: 1 }] };
}

export const medication: ProfileSpec = {
  id: 'lmdi-medication',
  resourceType: 'Medication',
  forbidden: ['manufacturer', 'text', 'code.text', 'form.text'],
  required: [
    { path: 'form.coding', hint: 'the dosage form, coded with Volven 7448 or SNOMED CT.' },
    { path: 'form.coding.system', hint: 'the code system of the dosage form.' },
    { path: 'form.coding.code', hint: 'the dosage form code.' },
  ],
  slices: [
    CLASSIFICATION_EXTENSIONS,
    medicationCodeSlices('FestVirkestoff', LOCAL_MEDICATION_1_0_7),
    formSlices({ form: '7448' }),
  ],
  // LegemiddelKoder in 1.0.7: SNOMED CT and four FEST systems (not LMR, varenummer or the local catalogue).
  extensibleBindings: [{ path: 'code', valueSet: MEDICATION_CODES_VALUE_SET, systems: [SNOMED, FEST_MERKEVARE, FEST_VIRKESTOFF, FEST_PAKNING, FEST_DOSE] }],
  references: [{ path: 'ingredient.itemReference', targets: ['lmdi-substance', 'lmdi-medication'] }],
};

/** The open slicing of Medication.code.coding; 1.1 renamed the Virkestoff slice and moved the local catalogue. */
export function medicationCodeSlices(virkestoffSliceName: string, localCatalogueSystem: string): SliceGroup {
  return {
    path: 'code.coding',
    discriminator: 'system',
    rules: 'open',
    slices: [
      codeSlice('FestLegemiddeldose', FEST_DOSE),
      codeSlice('FestLmrLopenr', FEST_LMR_LOPENR),
      codeSlice('FestLegemiddelMerkevare', FEST_MERKEVARE),
      codeSlice('FestLegemiddelpakning', FEST_PAKNING),
      codeSlice('Varenummer', FEST_VARENUMMER),
      codeSlice(virkestoffSliceName, FEST_VIRKESTOFF),
      codeSlice('LokaltLegemiddel', localCatalogueSystem, true),
      codeSlice('SCT', SNOMED),
    ],
  };
}
