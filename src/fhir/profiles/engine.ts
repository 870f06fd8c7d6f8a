/**
 * Applies a ProfileSpec (or the rules of one slice) to a node of FHIR JSON.
 *
 * Rule ids are "<profile>.<element path>" (slices as "identifier:FNR") and
 * "<profile>:<invariant key>", so a finding names the exact rule of the IG it comes from.
 */
import type { BundleIndex } from '../references.js';
import { type Collector, isObject, type Json, type Site } from '../validation/issues.js';
import { holderFor, propertiesFor, select } from '../validation/paths.js';
import { checkInvariant } from './invariants.js';
import type { ElementRules, IgRules, SliceGroup } from './rules.js';

export interface EngineContext {
  ig: IgRules;
  index: BundleIndex;
}

/** One JSON property found under a parent instance, located without a list index. */
interface FoundProperty {
  parent: Json;
  key: string;
  value: unknown;
  site: Site;
}

export function applyRules(rules: ElementRules, node: Json, site: Site, prefix: string, ctx: EngineContext, out: Collector): void {
  for (const path of rules.forbidden ?? []) {
    for (const found of properties(node, path, site)) {
      out.error('structure', `${prefix}.${path}`, found.site, `Remove ${describe(found.site)}; the profile ${profileName(prefix)} does not allow ${path} (0..0).`);
    }
  }

  for (const { path, hint } of rules.required ?? []) checkRequired(node, path, hint, site, prefix, out);

  for (const path of rules.maxOne ?? []) {
    for (const found of properties(node, path, site)) {
      if (Array.isArray(found.value) && found.value.length > 1) {
        out.error('structure', `${prefix}.${path}`, found.site, `${describe(found.site)} may hold only one item in ${profileName(prefix)}; it holds ${found.value.length}. Keep one.`);
      }
    }
  }

  for (const fixed of rules.fixed ?? []) {
    for (const { value, site: valueSite } of select(node, fixed.path, site)) {
      if (value !== fixed.value) {
        out.error(fixed.code ?? 'value', `${prefix}.${fixed.path}`, valueSite, `Set ${describe(valueSite)} to ${JSON.stringify(fixed.value)}; ${profileName(prefix)} fixes this value.`);
      }
    }
  }

  for (const binding of rules.bindings ?? []) {
    for (const { value, site: valueSite } of select(node, binding.path, site)) {
      if (typeof value !== 'string' || !binding.codes.includes(value)) {
        out.error('code-invalid', `${prefix}.${binding.path}`, valueSite, `${describe(valueSite)} must be one of ${binding.codes.map((c) => `"${c}"`).join(', ')} (required binding to ${binding.valueSet}).`);
      }
    }
  }

  for (const binding of rules.extensibleBindings ?? []) {
    for (const { value, site: valueSite } of select(node, binding.path, site)) {
      const codings = isObject(value) && Array.isArray(value['coding']) ? value['coding'] : [];
      if (codings.length === 0 || codings.some((c: unknown) => isObject(c) && binding.systems.includes(String(c['system'])))) continue;
      out.warning('code-invalid', `${prefix}.${binding.path}/extensible`, at(valueSite, 'coding'), `${describe(valueSite)} has no coding from ${binding.valueSet} (${binding.systems.join(', ')}); use one of these when it applies (extensible binding).`);
    }
  }

  for (const group of rules.slices ?? []) checkSlices(group, node, site, prefix, ctx, out);

  if (rules.valueType !== undefined) checkValueType(rules.valueType, node, site, prefix, out);

  for (const reference of rules.references ?? []) checkReferenceTargets(reference.path, reference.targets, node, site, prefix, ctx, out);

  for (const invariant of rules.invariants ?? []) checkInvariant(invariant, node, site, profileName(prefix), out);

  for (const check of rules.checks ?? []) check(node, site, prefix, out);
}

const NOTHING: FoundProperty[] = [];

/** Every property at `path` (parent path + last name) under `node`, one per parent instance. */
function properties(node: Json, path: string, site: Site): FoundProperty[] {
  const { parentPath, name } = splitPath(path);

  // Most rules name a top-level element: look it up directly, without selecting.
  if (parentPath === '') {
    const keys = propertiesFor(node, name);
    return keys.length === 0 ? NOTHING : keys.map((key) => ({ parent: node, key, value: node[key], site: { location: `${site.location}.${key}` } }));
  }

  const found: FoundProperty[] = [];
  for (const parent of select(node, parentPath, site)) {
    const holder = holderFor(parent, name)?.node;
    if (holder === undefined) continue;
    for (const key of propertiesFor(holder, name)) {
      found.push({ parent: holder, key, value: holder[key], site: { location: `${parent.site.location}.${key}` } });
    }
  }
  return found;
}

const splitPaths = new Map<string, { parentPath: string; name: string }>();

function splitPath(path: string): { parentPath: string; name: string } {
  let split = splitPaths.get(path);
  if (split === undefined) {
    const dot = path.lastIndexOf('.');
    split = dot < 0 ? { parentPath: '', name: path } : { parentPath: path.slice(0, dot), name: path.slice(dot + 1) };
    splitPaths.set(path, split);
  }
  return split;
}

function checkRequired(node: Json, path: string, hint: string, site: Site, prefix: string, out: Collector): void {
  const { parentPath, name } = splitPath(path);

  if (parentPath === '') {
    if (!propertiesFor(node, name).some((key) => hasContent(node[key]))) {
      out.error('required', `${prefix}.${path}`, { location: `${site.location}.${name}` }, `Add ${name}: ${hint}`);
    }
    return;
  }

  for (const parent of select(node, parentPath, site)) {
    if (!isObject(parent.value)) continue;
    const holder = parent.value;
    const present = propertiesFor(holder, name).some((key) => hasContent(holder[key]));
    if (!present) {
      out.error('required', `${prefix}.${path}`, { location: `${parent.site.location}.${name}` }, `Add ${name}: ${hint}`);
    }
  }
}

function hasContent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  return !Array.isArray(value) || value.length > 0;
}

function checkSlices(group: SliceGroup, node: Json, site: Site, prefix: string, ctx: EngineContext, out: Collector): void {
  const groupRule = `${prefix}.${group.path}`;

  for (const found of properties(node, group.path, site)) {
    const counts = new Map<string, number>();
    const items = Array.isArray(found.value) ? found.value : [found.value];

    items.forEach((item, index) => {
      const itemSite: Site = { location: Array.isArray(found.value) ? `${found.site.location}[${index}]` : found.site.location };
      if (!isObject(item)) return;

      const discriminator = item[group.discriminator];
      const slice = group.slices.find((s) => s.value === discriminator);
      if (slice === undefined) {
        if (group.rules === 'closed') {
          const allowed = group.slices.filter((s) => s.max !== 0).map((s) => s.value).join(', ');
          out.error('structure', groupRule, at(itemSite, group.discriminator), `${describe(found.site)} is closed in ${profileName(prefix)}: ${group.discriminator} must be one of ${allowed}.`);
        }
        return;
      }

      counts.set(slice.name, (counts.get(slice.name) ?? 0) + 1);
      if (slice.max === 0) {
        out.error('structure', `${groupRule}:${slice.name}`, itemSite, `Remove this ${slice.name} item (${group.discriminator} ${slice.value}); ${profileName(prefix)} does not allow it here.`);
        return;
      }
      if (slice.rules) applyRules(slice.rules, item, itemSite, `${groupRule}:${slice.name}`, ctx, out);
    });

    for (const slice of group.slices) {
      const count = counts.get(slice.name) ?? 0;
      if (slice.max !== undefined && slice.max > 0 && count > slice.max) {
        out.error('structure', `${groupRule}:${slice.name}`, found.site, `${describe(found.site)} may hold at most ${slice.max} item(s) with ${group.discriminator} ${slice.value} (slice ${slice.name}); it holds ${count}.`);
      }
      if (slice.min !== undefined && count < slice.min) {
        out.error('required', `${groupRule}:${slice.name}`, found.site, `Add an item with ${group.discriminator} ${slice.value} to ${describe(found.site)} (slice ${slice.name} is required).`);
      }
    }
  }
}

function checkValueType(valueType: string | null, node: Json, site: Site, prefix: string, out: Collector): void {
  for (const key of propertiesFor(node, 'value[x]')) {
    if (key === valueType) continue;
    const expected = valueType === null ? 'no value[x] (only nested extensions)' : valueType;
    out.error('structure', `${prefix}.value[x]`, at(site, key), `This extension takes ${expected}, not ${key}.`);
  }
}

const allowedTypesCache = new WeakMap<readonly string[], ReadonlySet<string>>();

/** The resource types of the target profiles (a profile id maps to one resource type). */
function allowedTypesOf(targets: readonly string[], ctx: EngineContext): ReadonlySet<string> {
  let types = allowedTypesCache.get(targets);
  if (types === undefined) {
    const byId = new Map(Object.values(ctx.ig.profiles).map((p) => [p.id, p.resourceType]));
    // lmdi-substance is not in 1.0.7's set but is still a Substance.
    byId.set('lmdi-substance', 'Substance');
    types = new Set(targets.map((id) => byId.get(id)).filter((t): t is string => t !== undefined));
    allowedTypesCache.set(targets, types);
  }
  return types;
}

function checkReferenceTargets(path: string, targets: readonly string[], node: Json, site: Site, prefix: string, ctx: EngineContext, out: Collector): void {
  const allowedTypes = allowedTypesOf(targets, ctx);

  for (const { value, site: refSite } of select(node, path, site)) {
    if (!isObject(value) || typeof value['reference'] !== 'string') continue;

    const target = ctx.index.resolve(value['reference']);
    const targetType = target?.resource?.['resourceType'];
    if (target === undefined || typeof targetType !== 'string') continue;

    if (!allowedTypes.has(targetType)) {
      out.error('business-rule', `${prefix}.${path}`, at(refSite, 'reference'), `${describe(refSite)} must point at ${targets.join(' or ')}, but Bundle.entry[${target.index}] is a ${targetType}.`);
    }
  }
}

function at(site: Site, child: string): Site {
  return { location: `${site.location}.${child}` };
}

/** The element part of a location, for messages: "Bundle.entry[3].resource.address[0].line" -> "address[0].line". */
function describe(site: Site): string {
  const marker = '.resource.';
  const index = site.location.indexOf(marker);
  return index < 0 ? site.location : site.location.slice(index + marker.length);
}

/** The profile id from a rule prefix ("lmdi-patient.identifier:FNR" -> "lmdi-patient"). */
function profileName(prefix: string): string {
  const dot = prefix.indexOf('.');
  return dot < 0 ? prefix : prefix.slice(0, dot);
}
