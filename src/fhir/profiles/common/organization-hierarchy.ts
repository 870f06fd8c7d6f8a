/**
 * The organisation hierarchy (Organization.partOf) across the bundle. Every organisation already
 * needs ENH or RSH (invariant lmdi-org-identifier), so each hierarchy has one; what is left to
 * check here is that partOf never loops back, which would leave no top of the hierarchy.
 */
import type { BundleIndex } from '../../references.js';
import { type Collector, isObject, type Json } from '../../validation/issues.js';

export function checkOrganisationHierarchy(entries: unknown[], index: BundleIndex, out: Collector): void {
  entries.forEach((entry, i) => {
    const organisation = isObject(entry) && isObject(entry['resource']) ? entry['resource'] : undefined;
    if (organisation?.['resourceType'] !== 'Organization' || partOfReference(organisation) === undefined) return;

    const seen = new Set<number>([i]);
    let current: Json | undefined = organisation;
    while (current !== undefined) {
      const reference = partOfReference(current);
      const parent = reference === undefined ? undefined : index.resolve(reference);
      if (parent === undefined || parent.resource?.['resourceType'] !== 'Organization') return;

      if (seen.has(parent.index)) {
        if (parent.index === i) {
          out.error('business-rule', 'lmdi-organization.partOf/cycle', { location: `Bundle.entry[${i}].resource.partOf.reference` }, 'Organization.partOf leads back to this organisation; a hierarchy needs a top organisation that is part of no other.');
        }
        return;
      }
      seen.add(parent.index);
      current = parent.resource;
    }
  });
}

function partOfReference(organisation: Json): string | undefined {
  const partOf = organisation['partOf'];
  return isObject(partOf) && typeof partOf['reference'] === 'string' ? partOf['reference'] : undefined;
}
