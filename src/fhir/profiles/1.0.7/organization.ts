/** lmdi-organization (Organisasjon), IG 1.0.7: name, ENH or RSH, a municipality-only physical address. */
import { ADDRESS_FORBIDDEN, ADDRESS_SLICES, ADDRESS_TYPE_RULES } from '../common/address.js';
import { orgNumberCheck, reshIdCheck } from '../common/identifiers.js';
import { OID_ENH, OID_RSH } from '../common/systems.js';
import type { InvariantSpec, ProfileSpec } from '../rules.js';

export const ORG_IDENTIFIER_INVARIANT: InvariantSpec = {
  key: 'lmdi-org-identifier',
  severity: 'error',
  path: '',
  type: 'Organization',
  expression: `identifier.where(system='${OID_ENH}' or system='${OID_RSH}').exists()`,
  message: `Add an identifier with an organisation number (system ${OID_ENH}) or a RESH id (system ${OID_RSH}).`,
};

/** Base R4 org-2, inherited: an organisation's address is never a home address. */
export const ORG_NO_HOME_ADDRESS: InvariantSpec = {
  key: 'org-2',
  severity: 'error',
  path: 'address',
  type: 'Address',
  expression: "where(use = 'home').empty()",
  message: 'An organisation address cannot have use "home"; remove use or set it to "work".',
};

export const organization: ProfileSpec = {
  id: 'lmdi-organization',
  resourceType: 'Organization',
  forbidden: ['text', 'active', 'telecom', 'contact', 'endpoint', ...ADDRESS_FORBIDDEN],
  required: [{ path: 'name', hint: 'the official name of the unit.' }],
  ...ADDRESS_TYPE_RULES,
  slices: [
    {
      path: 'identifier',
      discriminator: 'system',
      rules: 'open',
      slices: [
        { name: 'ENH', value: OID_ENH, rules: { required: [{ path: 'value', hint: 'the 9-digit organisation number.' }], checks: [orgNumberCheck] } },
        { name: 'RSH', value: OID_RSH, rules: { required: [{ path: 'value', hint: 'the RESH id.' }], checks: [reshIdCheck] } },
      ],
    },
    ...ADDRESS_SLICES,
  ],
  references: [{ path: 'partOf', targets: ['lmdi-organization'] }],
  invariants: [ORG_IDENTIFIER_INVARIANT, ORG_NO_HOME_ADDRESS],
};
