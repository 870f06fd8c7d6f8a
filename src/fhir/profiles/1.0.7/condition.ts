/** lmdi-condition (Diagnose), IG 1.0.7: a coded diagnosis (SNOMED CT, ICD-10, ICD-11, ICPC-2) for a patient. */
import { ICD10_NO, ICD11_MMS, ICPC2, SNOMED } from '../common/systems.js';
import type { ProfileSpec, Slice } from '../rules.js';

function codeSlice(name: string, system: string): Slice {
  return { name, value: system, max: 1, rules: { required: [{ path: 'code', hint: `the ${name} code.` }] } };
}

export const condition: ProfileSpec = {
  id: 'lmdi-condition',
  resourceType: 'Condition',
  forbidden: [
    'encounter', 'text', 'category', 'severity', 'bodySite', 'abatement[x]', 'onset[x]', 'recorder', 'recordedDate',
    'asserter', 'evidence', 'note', 'stage.assessment',
  ],
  required: [
    { path: 'subject', hint: 'a reference to the Patient.' },
    { path: 'code', hint: 'the diagnosis code (SNOMED CT, ICD-10, ICD-11 or ICPC-2).' },
  ],
  slices: [
    {
      path: 'code.coding',
      discriminator: 'system',
      rules: 'closed',
      slices: [codeSlice('SCT', SNOMED), codeSlice('ICD10', ICD10_NO), codeSlice('ICD11', ICD11_MMS), codeSlice('ICPC2', ICPC2)],
    },
  ],
  references: [{ path: 'subject', targets: ['lmdi-patient'] }],
};
