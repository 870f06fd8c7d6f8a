/**
 * Selects elements of FHIR JSON by a dotted element path, keeping the FHIRPath location of each.
 *
 * Paths are written as in a StructureDefinition, relative to the node: "address.district",
 * "dosage.route.coding", "effective[x]". Lists are expanded and indexed in the location
 * (address[0].district). A step "extension" or "id" under a primitive looks in the JSON shadow
 * property (_district), as FHIR JSON stores a primitive's extensions there.
 * Selected sites carry only the location; the validator adds the entry's fullUrl and type at the end.
 */
import { isObject, type Site } from './issues.js';

export interface Selected {
  value: unknown;
  site: Site;
  /** The object that holds the value, and the JSON property it was found under. */
  parent: unknown;
  key: string;
}

/** Every element at `path` under `node`, in document order. */
export function select(node: unknown, path: string, site: Site): Selected[] {
  let current: Selected[] = [{ value: node, site, parent: undefined, key: '' }];
  if (path === '') return current;

  // One step into an object (most rules): no intermediate lists.
  const split = steps(path);
  if (split.length === 1 && isObject(node)) {
    const value = node[path];
    if (value === undefined || value === null) return NO_SELECTION;
    if (!Array.isArray(value)) return [{ value, site: { location: `${site.location}.${path}` }, parent: node, key: path }];
  }

  for (const step of split) {
    const next: Selected[] = [];
    for (const item of current) selectStep(item, step, next);
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

const splitPaths = new Map<string, readonly string[]>();

/** The steps of a path, split once. */
export function steps(path: string): readonly string[] {
  let split = splitPaths.get(path);
  if (split === undefined) splitPaths.set(path, (split = path.split('.')));
  return split;
}

/** The JSON property names present for an element name; "value[x]" matches valueString etc. */
export function propertiesFor(node: Record<string, unknown>, name: string): string[] {
  if (!name.endsWith('[x]')) return node[name] !== undefined ? [name] : NONE;

  const stem = name.slice(0, -3);
  return Object.keys(node).filter((key) => key.length > stem.length && key.startsWith(stem) && isUpper(key.charCodeAt(stem.length)));
}

const NONE: string[] = [];
const NO_SELECTION: Selected[] = [];

function isUpper(code: number): boolean {
  return code >= 65 && code <= 90;
}

function selectStep(item: Selected, step: string, out: Selected[]): void {
  const holder = holderFor(item, step);
  if (holder === undefined) return;

  for (const key of propertiesFor(holder.node, step)) {
    const value = holder.node[key];
    const location = `${item.site.location}.${key}`;
    if (Array.isArray(value)) {
      value.forEach((element, index) => {
        if (element !== null) out.push({ value: element, site: { location: `${location}[${index}]` }, parent: value, key });
      });
    } else if (value !== undefined && value !== null) {
      out.push({ value, site: { location }, parent: holder.node, key });
    }
  }
}

/** The object a step reads from: the node itself, or a primitive's shadow "_name" object. */
export function holderFor(item: Selected, step: string): { node: Record<string, unknown> } | undefined {
  if (isObject(item.value)) return { node: item.value };

  if ((step === 'extension' || step === 'id') && isObject(item.parent)) {
    const shadow = item.parent[`_${item.key}`];
    if (isObject(shadow)) return { node: shadow };
  }
  return undefined;
}
