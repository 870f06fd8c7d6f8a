/** lmdi-practitioner (Helsepersonell), IG 1.0.7: only an HPR number, nothing personal. */
import { hprNumberCheck } from '../common/identifiers.js';
import { OID_DNR, OID_FNR, OID_HPR } from '../common/systems.js';
import type { ProfileSpec } from '../rules.js';

export const practitioner: ProfileSpec = {
  id: 'lmdi-practitioner',
  resourceType: 'Practitioner',
  forbidden: ['text', 'name', 'telecom', 'address', 'gender', 'birthDate', 'photo', 'qualification', 'communication', 'active'],
  slices: [
    {
      path: 'identifier',
      discriminator: 'system',
      rules: 'closed',
      slices: [
        { name: 'HPR', value: OID_HPR, max: 1, rules: { required: [{ path: 'value', hint: 'the HPR number.' }], checks: [hprNumberCheck] } },
        { name: 'FNR', value: OID_FNR, max: 0 },
        { name: 'DNR', value: OID_DNR, max: 0 },
      ],
    },
  ],
};
