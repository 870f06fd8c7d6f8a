/** lmdi-organization, IG 1.1: as 1.0.7, and Organization.type may not use organisatorisk nivå (Volven 8628). */
import { organization as base } from '../1.0.7/organization.js';
import { OID_ORG_LEVEL } from '../common/systems.js';
import { deriveProfile, type CustomCheck, type ProfileSpec } from '../rules.js';
import { at, isObject } from '../../validation/issues.js';

/** The no-basis slice type:organisatoriskNiva (discriminator coding.system) is 0..0 in 1.1. */
const noOrganisationLevel: CustomCheck = (organization, site, prefix, out) => {
  const types = organization['type'];
  if (!Array.isArray(types)) return;
  types.forEach((type, index) => {
    const codings = isObject(type) && Array.isArray(type['coding']) ? type['coding'] : [];
    if (codings.some((c) => isObject(c) && c['system'] === OID_ORG_LEVEL)) {
      out.error('structure', `${prefix}.type:organisatoriskNiva`, at(site, `type[${index}]`), `Remove this type: LMDI 1.1 does not allow organisatorisk nivå (${OID_ORG_LEVEL}) in Organization.type.`);
    }
  });
};

export const organization: ProfileSpec = deriveProfile(base, {
  checks: [...(base.checks ?? []), noOrganisationLevel],
});
