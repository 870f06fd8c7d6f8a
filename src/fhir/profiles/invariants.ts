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

const ignoreTrace = (): void => {};

const compiledByText = new Map<string, Compiled>();
const compiledBySpec = new WeakMap<InvariantSpec, Compiled>();

/** The compiled form of an invariant; compiled on first use and kept. */
export function compileInvariant(spec: InvariantSpec): Compiled {
  let fn = compiledBySpec.get(spec);
  if (fn !== undefined) return fn;

  const cacheKey = `${spec.type}\u0000${spec.expression}`;
  fn = compiledByText.get(cacheKey);
  if (fn === undefined) {
    // trace() in an invariant (dom-3 has one) would otherwise print to the console.
    const evaluate = fhirpath.compile({ base: spec.type, expression: spec.expression }, r4Model, { traceFn: ignoreTrace });
    // %resource and %rootResource are the node itself: right for invariants on a resource (dom-3);
    // none of the invariants evaluated on elements or data types refers to them.
    fn = (node: unknown) => evaluate(node as Json, { resource: node, rootResource: node }) as unknown[];
    compiledByText.set(cacheKey, fn);
  }
  compiledBySpec.set(spec, fn);
  return fn;
}

/**
 * Verdicts by invariant and input, for inputs that repeat across a large bundle (a dateTime, a
 * set of declared profiles). FHIRPath is pure, so the same input gives the same verdict; the
 * cache is bounded so unique inputs cannot grow it without limit.
 */
const verdicts = new Map<Compiled, Map<string, boolean>>();
const MAX_VERDICTS = 10_000;

/**
 * True when the invariant holds on `node`. An expression that cannot run counts as failed.
 * `memoKey` (a primitive value is its own key) lets repeated inputs reuse the verdict.
 */
export function holds(spec: InvariantSpec, node: unknown, memoKey?: string): boolean {
  const fn = compileInvariant(spec);
  const key = memoKey ?? (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean' ? `${typeof node}:${String(node)}` : undefined);
  if (key === undefined) return evaluate(fn, node);

  let cache = verdicts.get(fn);
  if (cache === undefined) verdicts.set(fn, (cache = new Map()));
  let verdict = cache.get(key);
  if (verdict === undefined) {
    verdict = evaluate(fn, node);
    if (cache.size >= MAX_VERDICTS) cache.clear();
    cache.set(key, verdict);
  }
  return verdict;
}

function evaluate(fn: Compiled, node: unknown): boolean {
  try {
    const result = fn(node);
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
