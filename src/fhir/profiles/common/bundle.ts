/**
 * lmdi-bundle (LegemiddelregisterBundle): the same element rules in 1.0.7 and 1.1; only the set of
 * allowed entry profiles (invariant lr-allowed-resources) differs.
 */
import { LMDI_PROFILE_BASE, type InvariantSpec, type ProfileSpec } from '../rules.js';

export const bundle: ProfileSpec = {
  id: 'lmdi-bundle',
  resourceType: 'Bundle',
  forbidden: ['total', 'link'],
  required: [
    { path: 'identifier', hint: 'a system and value that identify this delivery.' },
    { path: 'type', hint: '"transaction".' },
    { path: 'timestamp', hint: 'the time the bundle was assembled, e.g. 2025-03-10T13:28:17+01:00.' },
    { path: 'entry', hint: 'at least one entry.' },
    { path: 'entry.resource', hint: 'the resource this entry carries.' },
    { path: 'entry.request', hint: 'request with method "POST" and a url (the resource type, e.g. "Patient").' },
    { path: 'entry.request.method', hint: '"POST".' },
    { path: 'entry.request.url', hint: 'its value is not used, so the resource type (e.g. "MedicationAdministration") is fine.' },
  ],
  fixed: [
    { path: 'type', value: 'transaction' },
    { path: 'entry.request.method', value: 'POST' },
  ],
};

/**
 * lr-allowed-resources, evaluated per entry (the IG writes it as entry.all(...) on the Bundle; per
 * entry gives the same verdict and a location for each offending entry).
 */
export function allowedResources(profileIds: readonly string[]): InvariantSpec {
  const condition = profileIds.map((id) => `resource.meta.profile.where($this = '${LMDI_PROFILE_BASE}${id}').exists()`).join(' or ');
  return {
    key: 'lr-allowed-resources',
    severity: 'error',
    path: '',
    type: 'Bundle.entry',
    expression: condition,
    message: `Declare one of the LMDI profiles in resource.meta.profile (${LMDI_PROFILE_BASE}<id>, id one of ${profileIds.join(', ')}).`,
  };
}
