/**
 * Reference resolution inside a transaction bundle.
 *
 * FHIR resolves a reference in a bundle by fullUrl: a urn:uuid reference must equal an entry's
 * fullUrl; a relative reference (Patient/123) resolves against an entry whose fullUrl ends in
 * /Patient/123 (same server base) or, failing that, whose resource has that type and id.
 */
import { isNonEmptyString, isObject, type Json } from './validation/issues.js';

export interface EntryRef {
  index: number;
  fullUrl?: string;
  resource?: Json;
}

export class BundleIndex {
  private readonly byFullUrl = new Map<string, EntryRef>();
  private readonly byTypeAndId = new Map<string, EntryRef>();
  private readonly byFullUrlTail = new Map<string, EntryRef>();

  /** Adds an entry; returns the index of an earlier entry with the same fullUrl, if any. */
  add(entry: EntryRef): number | undefined {
    if (entry.fullUrl !== undefined) {
      const earlier = this.byFullUrl.get(entry.fullUrl);
      if (earlier !== undefined) return earlier.index;
      this.byFullUrl.set(entry.fullUrl, entry);

      const tail = RELATIVE_TAIL.exec(entry.fullUrl)?.[1];
      if (tail !== undefined && !this.byFullUrlTail.has(tail)) this.byFullUrlTail.set(tail, entry);
    }

    const resource = entry.resource;
    if (resource && isNonEmptyString(resource['resourceType']) && isNonEmptyString(resource['id'])) {
      const key = `${resource['resourceType']}/${resource['id']}`;
      if (!this.byTypeAndId.has(key)) this.byTypeAndId.set(key, entry);
    }
    return undefined;
  }

  /** The entry a reference points at, or undefined when it is not in this bundle. */
  resolve(reference: string): EntryRef | undefined {
    const direct = this.byFullUrl.get(reference);
    if (direct !== undefined) return direct;
    if (reference.startsWith('urn:')) return undefined;

    // Relative Type/id: by the fullUrl's tail first, then by the resource's own type and id.
    if (!RELATIVE.test(reference)) return undefined;
    return this.byFullUrlTail.get(reference) ?? this.byTypeAndId.get(reference);
  }
}

const RELATIVE = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;
const RELATIVE_TAIL = /^https?:\/\/.+\/([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})$/;

/** The declared meta.profile canonicals of a resource, without any |version suffix. */
export function declaredProfiles(resource: Json | undefined): string[] {
  const meta = resource?.['meta'];
  const profiles = isObject(meta) ? meta['profile'] : undefined;
  if (!Array.isArray(profiles)) return [];

  // The common case: one unversioned canonical.
  if (profiles.length === 1 && typeof profiles[0] === 'string' && !profiles[0].includes('|')) return profiles as string[];
  return profiles.filter((p): p is string => typeof p === 'string').map((p) => p.split('|')[0] as string);
}
