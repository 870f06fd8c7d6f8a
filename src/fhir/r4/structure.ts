/**
 * Base FHIR R4 structural validation: every property is a known element of its type, lists are
 * lists and single values are not, JSON types and primitive formats match, at most one variant of
 * a choice type, base minimum cardinalities, required bindings with enumerable codes (on code
 * elements, and on Coding/CodeableConcept), and primitive extensions (_name) hold only id and
 * extension.
 *
 * Invariants, their expressions taken from the definitions and evaluated with FHIRPath: the
 * data-type ones ext-1, per-1, qty-3, rat-1, rng-2, cpt-2 and att-1, and those the definitions put
 * on resources and their elements (dom-2..dom-5, con-1/2/4/5, mad-1, org-1/2/3, pat-1, ...).
 * Not covered (honest note): the other data-type invariants (ref-1 needs the enclosing resource for
 * every Reference, tim-*, txt-*), dom-6, con-3 and bdl-* (see definitions.ts), profiles named in
 * element types, value sets defined by filters, and the xhtml content of Narrative.div.
 */
import { Collector, type Json, isObject, type ValidationIssue } from '../validation/issues.js';
import { inputKeyFor } from '../profiles/invariant-inputs.js';
import { holds } from '../profiles/invariants.js';
import type { InvariantSpec } from '../profiles/rules.js';
import { type DataTypeInvariant, type ElementDef, type NodeDef, PRIMITIVE_TYPES, type R4Definitions, r4Definitions } from './definitions.js';

/**
 * The location being validated, as a stack of parts ("Bundle", ".entry", "[3]", ...). Strings are
 * joined only when a finding is reported, which keeps a 100,000-entry bundle cheap to walk.
 */
class Location {
  private readonly parts: string[] = [];

  /** A part is an element name (joined with ".") or an index part from indexPart(). */
  push(part: string): void {
    this.parts.push(part);
  }

  pop(): void {
    this.parts.pop();
  }

  site(suffix = ''): { location: string } {
    let location = '';
    for (const part of this.parts) location += location === '' || part.charCodeAt(0) === 91 /* [ */ ? part : `.${part}`;
    return { location: location + suffix };
  }
}

const INDEX_PARTS = Array.from({ length: 256 }, (_, i) => `[${i}]`);

function indexPart(i: number): string {
  return INDEX_PARTS[i] ?? `[${i}]`;
}

/** Validates a Bundle (and every resource in it) against base R4; returns the findings. */
export function validateR4Structure(bundle: Json): ValidationIssue[] {
  const out = new Collector();
  const at = new Location();
  at.push('Bundle');
  validateResource(r4Definitions(), bundle, at, out);
  return out.issues;
}

function validateResource(defs: R4Definitions, resource: Json, at: Location, out: Collector): void {
  const type = resource['resourceType'];
  if (typeof type !== 'string' || !defs.isResourceType(type)) {
    out.error('structure', 'r4.resourceType', at.site('.resourceType'), `${JSON.stringify(type)} is not an R4 resource type; check the spelling of resourceType.`);
    return;
  }
  validateObject(defs, resource, type, at, out, true);
}

function validateObject(defs: R4Definitions, node: Json, nodePath: string, at: Location, out: Collector, isResource = false): void {
  const def = defs.node(nodePath);
  if (def === undefined) return;

  let seenChoices: Map<string, string> | undefined;

  for (const key in node) {
    const value = node[key];
    if (isResource && key === 'resourceType') continue;
    if (key.charCodeAt(0) === 95 /* _ */) {
      validateShadow(defs, def, key, value, nodePath, at, out);
      continue;
    }

    const element = def.elements.get(key);
    if (element === undefined) {
      out.error('structure', `r4.${nodePath}.${key}`, at.site(`.${key}`), `${key} is not an element of ${nodePath} in FHIR R4; remove it or check the spelling (extensions go in "extension").`);
      continue;
    }

    if (element.elementName !== element.jsonName) {
      seenChoices ??= new Map();
      const other = seenChoices.get(element.elementName);
      if (other !== undefined) {
        out.error('structure', `r4.${element.path}`, at.site(`.${key}`), `Only one of ${other} and ${key} may be given (${element.elementName} is a choice).`);
      }
      seenChoices.set(element.elementName, key);
    }

    at.push(key);
    validateValue(defs, element, value, at, out);
    at.pop();
  }

  for (const element of def.required) {
    if (!isPresent(node, element, def)) {
      out.error('required', `r4.${element.path}`, at.site(`.${element.elementName}`), `Add ${element.elementName}; FHIR R4 requires it in ${nodePath} (min ${element.min}).`);
    }
  }

  for (const invariant of defs.invariantsOf(nodePath)) {
    const spec = invariantSpec(nodePath, invariant);
    // Data-type nodes are small and repeat (doses, periods), so the verdict is kept by content.
    if (!holds(spec, node, JSON.stringify(node))) {
      out.error('invariant', `r4.${nodePath}:${invariant.key}`, at.site(), `FHIR R4 rule ${invariant.key}: ${invariant.human}`);
    }
  }

  if (isResource) checkElementInvariants(defs, nodePath, node, at, out);
}

/**
 * The invariants the R4 definitions put on a resource (dom-2..dom-5, con-*, org-1, ...) or on one
 * of its elements (mad-1 on MedicationAdministration.dosage, org-2 on Organization.address, ...).
 * Verdicts are reused for nodes that agree on what the expression reads (see invariant-inputs.ts).
 */
function checkElementInvariants(defs: R4Definitions, path: string, node: Json, at: Location, out: Collector): void {
  for (const invariant of defs.invariantsAt(path)) {
    const spec = invariantSpec(path, invariant);
    if (!holds(spec, node, inputKeyFor(invariant.expression)(node))) {
      out.add(invariant.severity, 'invariant', `r4.${path}:${invariant.key}`, at.site(), `FHIR R4 rule ${invariant.key}: ${invariant.human}`);
    }
  }
}

const invariantSpecs = new Map<string, InvariantSpec>();

function invariantSpec(type: string, invariant: DataTypeInvariant): InvariantSpec {
  const cacheKey = `${type}:${invariant.key}`;
  let spec = invariantSpecs.get(cacheKey);
  if (spec === undefined) {
    spec = { key: invariant.key, severity: invariant.severity, path: '', type, expression: invariant.expression, message: invariant.human };
    invariantSpecs.set(cacheKey, spec);
  }
  return spec;
}

function isPresent(node: Json, element: ElementDef, def: NodeDef): boolean {
  if (element.elementName === element.jsonName) return node[element.jsonName] !== undefined || node[`_${element.jsonName}`] !== undefined;
  for (const [jsonName, other] of def.elements) {
    if (other.elementName === element.elementName && (node[jsonName] !== undefined || node[`_${jsonName}`] !== undefined)) return true;
  }
  return false;
}

function validateValue(defs: R4Definitions, element: ElementDef, value: unknown, at: Location, out: Collector): void {
  const rule = `r4.${element.path}`;

  if (Array.isArray(value)) {
    if (!element.isArray) {
      out.error('structure', rule, at.site(), `${element.elementName} holds a single value in FHIR R4; give it without the surrounding [ ].`);
      return;
    }
    if (value.length === 0) {
      out.error('structure', rule, at.site(), 'Remove the empty list; FHIR does not allow empty arrays.');
      return;
    }
    for (let i = 0; i < value.length; i++) {
      at.push(indexPart(i));
      validateItem(defs, element, value[i], at, out);
      at.pop();
    }
    return;
  }

  if (element.isArray) {
    out.error('structure', rule, at.site(), `${element.elementName} is a list in FHIR R4; wrap the value in [ ].`);
    return;
  }
  validateItem(defs, element, value, at, out);
}

function validateItem(defs: R4Definitions, element: ElementDef, item: unknown, at: Location, out: Collector): void {
  if (PRIMITIVE_TYPES.has(element.type)) {
    validatePrimitive(defs, element, item, at, out);
    return;
  }

  if (!isObject(item)) {
    out.error('structure', `r4.${element.path}`, at.site(), `${element.elementName} must be a JSON object (FHIR type ${element.type}).`);
    return;
  }
  if (isEmpty(item)) {
    out.error('structure', `r4.${element.path}`, at.site(), 'Remove the empty object; FHIR elements must have a value or children.');
    return;
  }

  if (element.type === 'Resource') {
    validateResource(defs, item, at, out);
    return;
  }
  validateObject(defs, item, element.childrenAt, at, out);
  checkElementInvariants(defs, element.path, item, at, out);
  if (element.requiredCodings !== undefined) checkCodingBinding(element, item, at, out);
}

/**
 * A required binding on a Coding or CodeableConcept whose value set is enumerable: a Coding must be
 * one of its system|code pairs; a CodeableConcept needs at least one such coding.
 */
function checkCodingBinding(element: ElementDef, item: Json, at: Location, out: Collector): void {
  const binding = element.requiredCodings as NonNullable<ElementDef['requiredCodings']>;
  const codings = element.type === 'Coding' ? [item] : Array.isArray(item['coding']) ? item['coding'] : [];
  const inValueSet = codings.some((c: unknown) => isObject(c) && binding.codings.has(`${String(c['system'])}|${String(c['code'])}`));
  if (inValueSet) return;

  const pairs = [...binding.codings];
  const list = pairs.length <= 12 ? `: one of ${pairs.map((p) => p.replace('|', '#')).join(', ')}` : '';
  const what = element.type === 'Coding' ? 'must be a coding' : 'needs a coding';
  out.error('code-invalid', `r4.${element.path}`, at.site(), `${element.elementName} ${what} from its required value set ${binding.valueSet}${list}.`);
}

function isEmpty(item: Json): boolean {
  for (const _ in item) return false;
  return true;
}

function validatePrimitive(defs: R4Definitions, element: ElementDef, value: unknown, at: Location, out: Collector): void {
  const type = element.type;

  if (value === null) return; // a null placeholder in a list of primitives that has _extensions
  const expected = type === 'boolean' ? 'boolean' : type === 'integer' || type === 'positiveInt' || type === 'unsignedInt' || type === 'decimal' ? 'number' : 'string';
  if (typeof value !== expected) {
    out.error('structure', `r4.${element.path}`, at.site(), `${element.elementName} must be a JSON ${expected} (FHIR ${type}), not ${Array.isArray(value) ? 'array' : typeof value}.`);
    return;
  }

  if (typeof value === 'number') {
    const ok = type === 'decimal' ? Number.isFinite(value) : Number.isInteger(value) && (type !== 'positiveInt' || value >= 1) && (type !== 'unsignedInt' || value >= 0);
    if (!ok) out.error('value', `r4.${element.path}`, at.site(), `${element.elementName} must be a valid FHIR ${type}.`);
    return;
  }

  if (typeof value === 'string') {
    const regex = defs.primitiveRegex.get(type);
    if (value === '' || (regex !== undefined && !regex.test(value))) {
      out.error('value', `r4.${element.path}`, at.site(), `${element.elementName} is not a valid FHIR ${type}${FORMAT_HINT[type] ?? ''}.`);
      return;
    }
    if (DATE_TYPES.has(type) && !isCalendarDate(value)) {
      out.error('value', `r4.${element.path}`, at.site(), `${element.elementName} names a day that does not exist (${value.slice(0, 10)}); correct the date.`);
      return;
    }
    if (element.requiredCodes !== undefined && !element.requiredCodes.has(value)) {
      const codes = [...element.requiredCodes];
      const list = codes.length <= 12 ? `: one of ${codes.join(', ')}` : '';
      out.error('code-invalid', `r4.${element.path}`, at.site(), `${element.elementName} must be a code from its required value set${list}.`);
    }
  }
}

const DATE_TYPES = new Set(['date', 'dateTime', 'instant']);

/**
 * The R4 regexes allow days 01-31 in every month; a day must also exist in its month and year
 * (2026-02-30 and 2025-02-29 do not).
 */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!match) return true;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const FORMAT_HINT: Readonly<Record<string, string>> = {
  date: ' (YYYY, YYYY-MM or YYYY-MM-DD)',
  dateTime: ' (e.g. 2025-03-10 or 2025-03-10T08:30:00+01:00; a time needs seconds and a zone)',
  instant: ' (e.g. 2025-03-10T08:30:00+01:00, with seconds and a zone)',
  uuid: ' (urn:uuid: and a lower-case UUID)',
  id: ' (1-64 letters, digits, - and .)',
};

/** A primitive's shadow (_name): only id and extension, and only for a primitive element. */
function validateShadow(defs: R4Definitions, def: NodeDef, key: string, value: unknown, nodePath: string, at: Location, out: Collector): void {
  const element = def.elements.get(key.slice(1));

  if (element === undefined || !PRIMITIVE_TYPES.has(element.type)) {
    out.error('structure', `r4.${nodePath}.${key}`, at.site(`.${key}`), `${key} is only allowed beside a primitive element ${key.slice(1)}; put extensions of complex elements in their own "extension".`);
    return;
  }

  at.push(key);
  const items = Array.isArray(value) ? value : [value];
  items.forEach((item, i) => {
    if (item === null) return;
    if (Array.isArray(value)) at.push(indexPart(i));
    if (!isObject(item)) {
      out.error('structure', `r4.${element.path}`, at.site(), `${key} must be an object with id and/or extension.`);
    } else {
      validateObject(defs, item, 'Element', at, out);
    }
    if (Array.isArray(value)) at.pop();
  });
  at.pop();
}
