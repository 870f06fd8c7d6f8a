/**
 * What an invariant's verdict depends on, read from its parsed FHIRPath, so verdicts can be reused
 * across the thousands of similar resources of a large bundle.
 *
 * - An expression that only navigates by element name (no %resource, descendants(), children(),
 *   repeat(), resolve(), ...) gives the same verdict on any node with the same values for the
 *   names it mentions: the key is those top-level properties of the node.
 * - Before that: when the expression is made of chains that start at top-level elements and only
 *   apply functions that skip their arguments on an empty input (where, exists, empty, trace, ...),
 *   as dom-2..dom-5 are, a node without any of those elements gets one shared verdict. This also
 *   covers dom-3, which reaches %resource and is otherwise evaluated on every node.
 */
import fhirpath from 'fhirpath';

import type { Json } from '../validation/issues.js';

/** Returns the memo key of a node, or undefined when the node must be evaluated. */
export type InputKey = (node: Json) => string | undefined;

interface AstNode {
  type: string;
  text?: string;
  children?: AstNode[];
}

/** Functions whose result depends on more than the names they are given. */
const OPAQUE_FUNCTIONS = new Set(['children', 'descendants', 'repeat', 'resolve', 'conformsTo', 'memberOf', 'htmlChecks']);

/** Functions that return without evaluating their arguments when their input is empty. */
const EMPTY_SAFE_FUNCTIONS = new Set(['where', 'select', 'all', 'exists', 'empty', 'not', 'trace', 'count', 'first', 'last', 'tail', 'distinct', 'isDistinct', 'hasValue', 'single']);

const keyByExpression = new Map<string, InputKey>();

export function inputKeyFor(expression: string): InputKey {
  let key = keyByExpression.get(expression);
  if (key === undefined) {
    key = buildInputKey(expression);
    keyByExpression.set(expression, key);
  }
  return key;
}

function buildInputKey(expression: string): InputKey {
  let ast: AstNode;
  try {
    ast = fhirpath.parse(expression) as AstNode;
  } catch {
    return () => undefined;
  }

  const names = new Set<string>();
  let opaque = false;
  visit(ast, (node) => {
    if (node.type === 'ExternalConstantTerm') opaque = true;
    if (node.type === 'Functn') {
      const name = node.children?.[0]?.text ?? '';
      if (name === 'extension') names.add('extension');
      if (OPAQUE_FUNCTIONS.has(name)) opaque = true;
    }
    if (node.type === 'MemberInvocation') names.add((node.text ?? '').replace(/`/g, ''));
  });

  const heads = guardingHeads(ast);
  const absentKey = heads === undefined ? undefined : `absent:${[...heads].join(',')}`;
  const whenAbsent = (node: Json): boolean => heads !== undefined && ![...heads].some((head) => hasElement(node, head));

  if (!opaque) return (node) => (whenAbsent(node) ? absentKey : projection(node, names));
  if (heads === undefined) return () => undefined;
  return (node) => (whenAbsent(node) ? absentKey : undefined);
}

function visit(node: AstNode, fn: (node: AstNode) => void): void {
  fn(node);
  for (const child of node.children ?? []) visit(child, fn);
}

/**
 * The top-level elements the expression's chains start at ('contained' for dom-2..dom-5), when the
 * expression is one empty-safe chain or such chains joined by and/or/implies. Without any of these
 * elements every chain sees an empty input, so the verdict is the same for every node.
 */
function guardingHeads(ast: AstNode): Set<string> | undefined {
  let node: AstNode | undefined = ast;
  while (node !== undefined && node.type === 'EntireExpression' && node.children?.length === 1) node = node.children[0];
  if (node === undefined) return undefined;

  if (node.type === 'AndExpression' || node.type === 'OrExpression' || node.type === 'ImpliesExpression') {
    const heads = new Set<string>();
    for (const side of node.children ?? []) {
      const sideHeads = guardingHeads(side);
      if (sideHeads === undefined) return undefined;
      for (const head of sideHeads) heads.add(head);
    }
    return heads;
  }

  const head = chainHead(node);
  return head === undefined ? undefined : new Set([head]);
}

/** The element a single chain of members and empty-safe functions starts at. */
function chainHead(start: AstNode): string | undefined {
  let node: AstNode | undefined = start;
  while (node !== undefined && node.type === 'InvocationExpression') {
    const step: AstNode | undefined = node.children?.[1];
    if (step?.type === 'FunctionInvocation') {
      const name = step.children?.[0]?.children?.[0]?.text ?? '';
      if (!EMPTY_SAFE_FUNCTIONS.has(name)) return undefined;
    } else if (step?.type !== 'MemberInvocation') {
      return undefined;
    }
    node = node.children?.[0];
  }

  const member = node?.type === 'TermExpression' ? node.children?.[0]?.children?.[0] : undefined;
  return member?.type === 'MemberInvocation' ? member.text : undefined;
}

/** True when the node has the element, as itself, its primitive shadow or a choice variant. */
function hasElement(node: Json, name: string): boolean {
  for (const key in node) {
    if (matches(key, name)) return true;
  }
  return false;
}

function matches(key: string, name: string): boolean {
  const bare = key.charCodeAt(0) === 95 /* _ */ ? key.slice(1) : key;
  if (bare === name) return true;
  // A choice variant: rate -> rateQuantity.
  return bare.length > name.length && bare.startsWith(name) && /[A-Z]/.test(bare.charAt(name.length));
}

/** The node's resourceType and the properties an expression can reach, as a string. */
function projection(node: Json, names: ReadonlySet<string>): string {
  let key = typeof node['resourceType'] === 'string' ? node['resourceType'] : '';
  for (const property in node) {
    for (const name of names) {
      if (matches(property, name)) {
        key += `\u0000${property}\u0000${JSON.stringify(node[property])}`;
        break;
      }
    }
  }
  return key;
}
