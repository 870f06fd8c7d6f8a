/** lmdi-patient (Pasient), IG 1.0.7: no name or contact details; FNR or DNR; a municipality-only address. */
import { ADDRESS_FORBIDDEN, ADDRESS_SLICES, ADDRESS_TYPE_RULES } from '../common/address.js';
import { birthDateMatchesPersonNumber, personNumberCheck } from '../common/identifiers.js';
import { EXT_CITIZENSHIP, OID_DNR, OID_FHN, OID_FNR } from '../common/systems.js';
import { at, isObject } from '../../validation/issues.js';
import type { CustomCheck, ProfileSpec } from '../rules.js';

/** The definition says the identifier "skal være" FNR or DNR, but the slicing is open: other systems get a warning. */
const onlyNationalIds: CustomCheck = (patient, site, prefix, out) => {
  const identifiers = patient['identifier'];
  if (!Array.isArray(identifiers)) return;
  identifiers.forEach((identifier, index) => {
    const system = isObject(identifier) ? identifier['system'] : undefined;
    // FHN and HNR are reported as forbidden slices already.
    if (system === OID_FNR || system === OID_DNR || system === OID_FHN || system === 'HNR') return;
    out.warning('value', `${prefix}.identifier/system`, at(site, `identifier[${index}].system`), `Patient.identifier should be a fødselsnummer (${OID_FNR}) or D-nummer (${OID_DNR}); the register cannot use other identifiers.`);
  });
};

export const patient: ProfileSpec = {
  id: 'lmdi-patient',
  resourceType: 'Patient',
  forbidden: [
    'text', 'active', 'communication', 'contact', 'deceased[x]', 'generalPractitioner', 'link',
    'managingOrganization', 'maritalStatus', 'multipleBirth[x]', 'name', 'photo', 'telecom',
    ...ADDRESS_FORBIDDEN,
  ],
  ...ADDRESS_TYPE_RULES,
  // Written as the invariant address-use-constraint says; its published FHIRPath does not run on
  // fhirpath.js ("in" with a list), so the binding carries the rule.
  bindings: [{ path: 'address.use', valueSet: 'lmdi-address-use', codes: ['home', 'temp', 'old'] }],
  slices: [
    {
      path: 'identifier',
      discriminator: 'system',
      rules: 'open',
      slices: [
        { name: 'FNR', value: OID_FNR, max: 1, rules: { required: [{ path: 'value', hint: 'the 11-digit fødselsnummer.' }], checks: [personNumberCheck('FNR')] } },
        { name: 'DNR', value: OID_DNR, max: 1, rules: { required: [{ path: 'value', hint: 'the 11-digit D-nummer.' }], checks: [personNumberCheck('DNR')] } },
        { name: 'FHN', value: OID_FHN, max: 0 },
        { name: 'HNR', value: 'HNR', max: 0 },
      ],
    },
    { path: 'extension', discriminator: 'url', rules: 'open', slices: [{ name: 'citizenship', value: EXT_CITIZENSHIP, max: 0 }] },
    ...ADDRESS_SLICES,
  ],
  checks: [onlyNationalIds, birthDateMatchesPersonNumber],
};
