/**
 * FHIRPath invariants, compiled once with the fhirpath package (R4 model) and evaluated per node.
 *
 * The compiled function is cached by type and expression, so a 100,000-entry bundle compiles each
 * invariant once. An invariant passes when its result is a single `true`, as FHIR defines.
 */
import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4';

import { Collector, type Json, type Site } from '../validation/issues.js';
import { select } from '../validation/paths.js';
import type { InvariantSpec } from './rules.js';

type Compiled = (node: unknown) => unknown[];

const compiled = new Map<string, Compiled>();

/** The compiled form of an invariant; compiled on first use and kept. */
export function compileInvariant(spec: InvariantSpec): Compiled {
  const cacheKey = `${spec.type}\u0000${spec.expression}`;
  let fn = compiled.get(cacheKey);
  if (fn === undefined) {
    const evaluate = fhirpath.compile({ base: spec.type, expression: spec.expression }, r4Model);
    fn = (node: unknown) => evaluate(node as Json) as unknown[];
    compiled.set(cacheKey, fn);
  }
  return fn;
}

/** True when the invariant holds on `node`. An expression that cannot run counts as failed. */
export function holds(spec: InvariantSpec, node: unknown): boolean {
  try {
    const result = compileInvariant(spec)(node);
    return result.length === 1 && result[0] === true;
  } catch {
    return false;
  }
}

/** Evaluates `spec` on every node at its path under `root` and reports each failure. */
export function checkInvariant(spec: InvariantSpec, root: Json, site: Site, rulePrefix: string, out: Collector): void {
  for (const { value, site: nodeSite } of select(root, spec.path, site)) {
    if (holds(spec, value)) continue;
    out.add(spec.severity, 'invariant', `${rulePrefix}:${spec.key}`, nodeSite, spec.message);
  }
}
