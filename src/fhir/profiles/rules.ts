/**
 * The declarative shape of an LMDI profile, written by hand from the IG (facts only: element
 * paths, cardinalities, systems, codes, invariant expressions), and the types the rule engine
 * works with. One module per profile and IG version fills in a ProfileSpec.
 */
import type { Collector, IssueCode, Json, Severity, Site } from '../validation/issues.js';

/** An element that must be present (min 1) under each instance of its parent path. */
export interface Requirement {
  path: string;
  /** What to add, for the message. */
  hint: string;
}

/** An element whose value is fixed (fixed[x]) or patterned (pattern[x] on a primitive). */
export interface FixedValue {
  path: string;
  value: string | number | boolean;
  code?: IssueCode;
}

/** A required binding to a small value set, written out as its codes. */
export interface CodeBinding {
  path: string;
  valueSet: string;
  codes: readonly string[];
}

/**
 * An extensible binding of a CodeableConcept to a value set made of whole code systems: a code from
 * the value set should be used when one applies, so a concept with codings but none from these
 * systems gets a warning (not an error: another code is allowed when none applies).
 */
export interface ExtensibleSystemBinding {
  path: string;
  valueSet: string;
  systems: readonly string[];
}

/** A reference element and the LMDI profiles its target may have. */
export interface ReferenceRule {
  path: string;
  targets: readonly string[];
}

/** A FHIRPath invariant, evaluated with the fhirpath package on each node at `path`. */
export interface InvariantSpec {
  key: string;
  severity: Severity;
  /** Element path of the node the invariant sits on ('' = the resource itself). */
  path: string;
  /** The FHIR type of that node, so FHIRPath knows the model (e.g. 'Organization', 'dateTime'). */
  type: string;
  expression: string;
  /** What a person should change when it fails. */
  message: string;
}

/** A check that is easier to say in code than declaratively (Norwegian identifiers, hierarchies). */
export type CustomCheck = (node: Json, site: Site, rulePrefix: string, out: Collector) => void;

/** One named slice: items of the sliced list whose discriminator equals `value`. */
export interface Slice {
  name: string;
  value: string;
  min?: number;
  /** Upper cardinality; 0 forbids the slice. Undefined means unbounded. */
  max?: number;
  /** Rules for each item in this slice, paths relative to the item. */
  rules?: ElementRules;
}

/** A sliced list: codings or identifiers by system, extensions by url. */
export interface SliceGroup {
  path: string;
  discriminator: 'system' | 'url';
  rules: 'open' | 'closed';
  slices: readonly Slice[];
}

/** The rules that apply to a node (a resource, or a slice item); every list is optional. */
export interface ElementRules {
  /** Elements set to 0..0, nested paths allowed ('dosage.text'). */
  forbidden?: readonly string[];
  required?: readonly Requirement[];
  /** Elements whose list may hold at most one item here. */
  maxOne?: readonly string[];
  fixed?: readonly FixedValue[];
  bindings?: readonly CodeBinding[];
  extensibleBindings?: readonly ExtensibleSystemBinding[];
  slices?: readonly SliceGroup[];
  /** For an extension item: the only value[x] property allowed ('valueCodeableConcept'), or null for none. */
  valueType?: string | null;
  references?: readonly ReferenceRule[];
  invariants?: readonly InvariantSpec[];
  checks?: readonly CustomCheck[];
}

/** One LMDI profile of one IG version. */
export interface ProfileSpec extends ElementRules {
  /** Profile id, e.g. 'lmdi-patient'; also the rule id prefix. */
  id: string;
  resourceType: string;
}

/** Everything that differs between IG versions. */
export interface IgRules {
  version: IgVersion;
  /** The profiles an entry may declare, by resource type. */
  profiles: Readonly<Record<string, ProfileSpec>>;
  /** Invariants on each Bundle.entry (lr-allowed-resources, evaluated per entry). */
  entryInvariants: readonly InvariantSpec[];
}

export type IgVersion = '1.0.7' | '1.1';

export const IG_VERSIONS: readonly IgVersion[] = ['1.0.7', '1.1'];

export const LMDI_PROFILE_BASE = 'http://hl7.no/fhir/ig/lmdi/StructureDefinition/';

/** Copies a spec with some lists replaced or extended; used by 1.1 to restate 1.0.7 rules. */
export function deriveProfile(base: ProfileSpec, changes: Partial<ProfileSpec>): ProfileSpec {
  return { ...base, ...changes };
}

/** Removes entries from a list by a key; used when a later IG drops a rule. */
export function without<T>(list: readonly T[] | undefined, drop: (item: T) => boolean): T[] {
  return (list ?? []).filter((item) => !drop(item));
}
