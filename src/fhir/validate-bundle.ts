/**
 * Validation of a LegemiddelregisterBundle against an LMDI IG version (1.0.7 by default, or 1.1).
 *
 * Three layers, all reported together so a sender can fix everything in one go:
 * 1. base FHIR R4 structure of every resource (known elements, JSON types, primitive formats,
 *    cardinalities, required bindings), compiled from the R4 StructureDefinitions;
 * 2. the LMDI profile rules of the chosen version (src/fhir/profiles/<version>/);
 * 3. references inside the bundle (fullUrls unique, urn:uuid references resolve, targets of the
 *    allowed profile).
 * Messages never contain the value of a fødselsnummer or D-nummer.
 */
import { LmdiError } from '../errors/index.js';
import { findJsonSyntaxProblem } from './json-syntax.js';
import { applyRules, type EngineContext } from './profiles/engine.js';
import { DEFAULT_IG, rulesFor, type IgVersion } from './profiles/index.js';
import { holds } from './profiles/invariants.js';
import { LMDI_PROFILE_BASE, type IgRules } from './profiles/rules.js';
import { bundle as bundleProfile } from './profiles/common/bundle.js';
import { checkOrganisationHierarchy } from './profiles/common/organization-hierarchy.js';
import { BundleIndex, declaredProfiles, type EntryRef } from './references.js';
import { validateR4Structure } from './r4/structure.js';
import { Collector, isNonEmptyString, isObject, type Json, type Site, type ValidationIssue, type ValidationResult } from './validation/issues.js';

export type { IssueCode, Severity, ValidationIssue, ValidationResult } from './validation/issues.js';
export { LMDI_PROFILE_BASE } from './profiles/rules.js';
export { OID_DNR, OID_ENH, OID_FNR, OID_HPR, OID_RSH } from './profiles/common/systems.js';

export interface ValidateOptions {
  /** The LMDI IG version to validate against; 1.0.7 when not given. */
  ig?: IgVersion;
  /** Skip the base FHIR R4 structure layer (the profile and reference rules still run). */
  skipR4Structure?: boolean;
}

/** Thrown when the input cannot even be read as FHIR JSON. */
export class FhirInputError extends LmdiError<'FHIR_NOT_JSON'> {}

/** The profile id each resource type must declare, in IG 1.1 (a superset of 1.0.7). */
export const LMDI_PROFILES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(rulesFor('1.1').profiles).map(([type, spec]) => [type, spec.id]),
);

/** Validates a parsed bundle and returns every problem found. */
export function validateBundle(bundle: unknown, options: ValidateOptions = {}): ValidationResult {
  const out = new Collector();
  const ig = rulesFor(options.ig ?? DEFAULT_IG);
  const root: Site = { location: 'Bundle' };

  if (!isObject(bundle) || bundle['resourceType'] !== 'Bundle') {
    out.error('structure', 'lmdi-bundle.resourceType', isObject(bundle) ? { location: 'Bundle.resourceType' } : root, 'The input must be a JSON object with resourceType "Bundle"; LMDI deliveries are a Bundle.');
    return finish(out, [], undefined);
  }

  const entries = Array.isArray(bundle['entry']) ? bundle['entry'] : [];
  const index = indexEntries(entries, out);
  const ctx: EngineContext = { ig, index };

  applyRules(bundleProfile, bundle, root, bundleProfile.id, ctx, out);
  entries.forEach((entry, i) => checkEntry(entry, i, ig, ctx, out));
  checkOrganisationHierarchy(entries, index, out);

  const r4 = options.skipR4Structure ? [] : validateR4Structure(bundle);
  return finish(out, entries, r4);
}

// ---------------------------------------------------------------------------------------------
// Entries
// ---------------------------------------------------------------------------------------------

function entrySite(entry: unknown, index: number): Site {
  const site: Site = { location: `Bundle.entry[${index}]` };
  if (!isObject(entry)) return site;

  if (isNonEmptyString(entry['fullUrl'])) site.fullUrl = entry['fullUrl'];
  const resource = entry['resource'];
  if (isObject(resource) && isNonEmptyString(resource['resourceType'])) site.resourceType = resource['resourceType'];
  return site;
}

/** Indexes entries for reference resolution; reports missing and duplicate fullUrls. */
function indexEntries(entries: unknown[], out: Collector): BundleIndex {
  const index = new BundleIndex();

  entries.forEach((entry, i) => {
    const site = entrySite(entry, i);
    const ref: EntryRef = { index: i };
    if (isObject(entry) && isObject(entry['resource'])) ref.resource = entry['resource'];
    if (site.fullUrl !== undefined) ref.fullUrl = site.fullUrl;

    if (site.fullUrl === undefined) {
      out.warning('required', 'lmdi-bundle.entry.fullUrl', { ...site, location: `${site.location}.fullUrl` }, 'Give the entry a fullUrl (urn:uuid:<uuid>) so other entries can reference it.');
    }

    const earlier = index.add(ref);
    if (earlier !== undefined) {
      out.error('invalid', 'lmdi-bundle.entry.fullUrl/unique', { ...site, location: `${site.location}.fullUrl` }, `This fullUrl is also used by Bundle.entry[${earlier}]; every entry needs its own fullUrl.`);
    }
  });
  return index;
}

function checkEntry(entry: unknown, i: number, ig: IgRules, ctx: EngineContext, out: Collector): void {
  const site = entrySite(entry, i);
  if (!isObject(entry)) {
    out.error('structure', 'lmdi-bundle.entry', site, 'Each entry must be an object with fullUrl, resource and request.');
    return;
  }

  const resource = entry['resource'];
  if (!isObject(resource)) return; // entry.resource 1..1 is reported by the bundle rules
  const resourceSite: Site = { ...site, location: `${site.location}.resource` };

  checkDeclaredProfile(resource, resourceSite, ig, out);
  checkReferencesResolve(resource, resourceSite, ctx.index, out);

  const spec = ig.profiles[String(resource['resourceType'])];
  if (spec !== undefined) applyRules(spec, resource, resourceSite, spec.id, ctx, out);
}

/** lr-allowed-resources, and the declared profile must be the one for this resource type. */
function checkDeclaredProfile(resource: Json, site: Site, ig: IgRules, out: Collector): void {
  const declared = declaredProfiles(resource);
  // A versioned canonical (…|1.0.7) names the same profile, so versions are stripped first.
  const projection = { resource: { resourceType: resource['resourceType'], meta: { profile: declared } } };
  const profileSite: Site = { ...site, location: `${site.location}.meta.profile` };

  const memoKey = `${String(resource['resourceType'])}\u0000${declared.join('\u0000')}`;

  for (const invariant of ig.entryInvariants) {
    if (!holds(invariant, projection, memoKey)) {
      out.add(invariant.severity, 'invariant', `lmdi-bundle:${invariant.key}`, profileSite, `${invariant.message} Resource type ${String(resource['resourceType'])} is ${ig.profiles[String(resource['resourceType'])] ? 'allowed' : 'not allowed'} in IG ${ig.version}.`);
      return;
    }
  }

  const spec = ig.profiles[String(resource['resourceType'])];
  const expected = spec ? `${LMDI_PROFILE_BASE}${spec.id}` : undefined;
  if (expected === undefined || !declared.includes(expected)) {
    const what = expected ? `Declare "${expected}" in meta.profile` : `Resource type ${String(resource['resourceType'])} is not allowed in an LMDI ${ig.version} bundle`;
    out.error('business-rule', 'lmdi-bundle.entry.resource.meta.profile', profileSite, `${what}; the declared profile is for another resource type.`);
  }
}

/**
 * Every reference anywhere in the resource: a urn:uuid must resolve to an entry (error); a
 * relative or absolute reference that does not resolve is outside the delivery (warning), since
 * the register only sees this bundle.
 */
function checkReferencesResolve(resource: Json, site: Site, index: BundleIndex, out: Collector): void {
  walk(resource, [site.location], (value, path) => {
    const reference = value['reference'];
    if (typeof reference !== 'string' || reference.startsWith('#')) return;
    if (index.resolve(reference) !== undefined) return;

    const where: Site = { location: `${path.join('')}.reference` };
    if (reference.startsWith('urn:uuid:') || reference.startsWith('urn:oid:')) {
      out.error('not-found', 'lmdi-bundle.reference/resolves', where, 'This reference points at no entry in the bundle; add the entry with this fullUrl or fix the reference.');
    } else {
      out.warning('not-found', 'lmdi-bundle.reference/resolves', where, 'This reference points outside the bundle; the register only sees this delivery, so include the target as an entry and reference its fullUrl.');
    }
  });
}

/** Visits every object under `node`; `path` is a stack of location parts, joined only when needed. */
function walk(node: unknown, path: string[], visit: (value: Json, path: string[]) => void): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      path.push(`[${i}]`);
      walk(node[i], path, visit);
      path.pop();
    }
    return;
  }
  if (!isObject(node)) return;

  visit(node, path);
  for (const key in node) {
    const value = node[key];
    if (typeof value === 'object' && value !== null) {
      path.push(`.${key}`);
      walk(value, path, visit);
      path.pop();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Result
// ---------------------------------------------------------------------------------------------

/**
 * Merges the layers: a base-R4 finding at a location where the profile rules already reported an
 * error is dropped (the profile message is the more useful one), as is a base-R4 invariant on a
 * node whose missing child the profile already reported; every finding inside an entry gets
 * that entry's fullUrl and resource type.
 */
function finish(out: Collector, entries: unknown[], r4: ValidationIssue[] | undefined): ValidationResult {
  const profileErrors = out.issues.filter((i) => i.severity === 'error');
  const profileLocations = new Set(profileErrors.map((i) => i.location));
  // A node that misses an element the profile requires also fails the base invariant that asks
  // for it (mad-1 without dose, con-1 without summary, org-1 without name): one message is enough.
  const missingParents = new Set(profileErrors.filter((i) => i.code === 'required').map((i) => i.location.slice(0, i.location.lastIndexOf('.'))));
  const keep = (i: ValidationIssue): boolean => !profileLocations.has(i.location) && !(i.code === 'invariant' && missingParents.has(i.location));
  const issues = [...out.issues, ...(r4 ?? []).filter(keep)];

  for (const issue of issues) {
    if (issue.fullUrl !== undefined || issue.resourceType !== undefined) continue;
    const match = /^Bundle\.entry\[(\d+)\]/.exec(issue.location);
    if (!match) continue;
    const site = entrySite(entries[Number(match[1])], Number(match[1]));
    if (site.fullUrl !== undefined) issue.fullUrl = site.fullUrl;
    if (site.resourceType !== undefined) issue.resourceType = site.resourceType;
  }

  issues.sort(byLocation);
  return { valid: !issues.some((i) => i.severity === 'error'), issues };
}

/** Bundle-level findings first, then by entry number, keeping the order within an entry. */
function byLocation(a: ValidationIssue, b: ValidationIssue): number {
  return entryNumber(a.location) - entryNumber(b.location);
}

function entryNumber(location: string): number {
  const match = /^Bundle\.entry\[(\d+)\]/.exec(location);
  return match ? Number(match[1]) : -1;
}

// ---------------------------------------------------------------------------------------------
// JSON input and OperationOutcome output
// ---------------------------------------------------------------------------------------------

/**
 * Parses bundle JSON. On a syntax error throws FhirInputError (FHIR_NOT_JSON) naming `source`
 * and the line/column of the error.
 */
export function parseBundleJson(text: string, source: string): unknown {
  // A UTF-8 byte order mark is common from Windows tools and harmless.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;

  try {
    return JSON.parse(body);
  } catch (cause) {
    const problem = findJsonSyntaxProblem(body);
    const where = problem ? ` at line ${problem.line}, column ${problem.column}: ${problem.reason}` : '';
    throw new FhirInputError('FHIR_NOT_JSON', `${source} is not valid JSON${where}.`, { cause });
  }
}

/** Extension URLs (URNs, so no host is implied) that carry the entry of an issue. */
export const ISSUE_EXTENSION_FULLURL = 'urn:lmdi:validation:entry-fullUrl';
export const ISSUE_EXTENSION_RESOURCE_TYPE = 'urn:lmdi:validation:entry-resourceType';
export const RULE_SYSTEM = 'urn:lmdi:validation:rule';

/**
 * Turns issues into a FHIR R4 OperationOutcome: one issue per finding, with severity, code,
 * expression (FHIRPath location), the rule id (details.coding and diagnostics), the message
 * (details.text) and the entry's fullUrl and resource type (extensions).
 */
export function toOperationOutcome(issues: ValidationIssue[]): object {
  if (issues.length === 0) {
    return {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'information', code: 'informational', details: { text: 'The bundle passed all LMDI checks.' } }],
    };
  }

  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => {
      const extension = [
        ...(i.fullUrl !== undefined ? [{ url: ISSUE_EXTENSION_FULLURL, valueUri: i.fullUrl }] : []),
        ...(i.resourceType !== undefined ? [{ url: ISSUE_EXTENSION_RESOURCE_TYPE, valueCode: i.resourceType }] : []),
      ];
      return {
        ...(extension.length > 0 ? { extension } : {}),
        severity: i.severity,
        code: i.code,
        details: { coding: [{ system: RULE_SYSTEM, code: i.rule }], text: i.message },
        diagnostics: i.rule,
        expression: [i.location],
      };
    }),
  };
}
