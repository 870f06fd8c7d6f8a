import { expect } from 'vitest';

import { sampleBundle, validateBundle } from '../../../src/fhir/index.js';
import type { IgVersion, ValidationIssue } from '../../../src/fhir/index.js';

export type Json = Record<string, any>;

/** Entry numbers in the sample bundle (see src/fhir/sample-bundle.ts). */
export const E = {
  kommune: 0,
  sykehjem: 1,
  lege: 2,
  pasientA: 3,
  pasientB: 4,
  oppholdA: 5,
  paracetamol: 7,
  rekvA1: 10,
  admin: 13,
} as const;

/** A fresh, valid bundle to break one rule at a time. */
export function bundle(): Json {
  return structuredClone(sampleBundle(new Date('2025-03-11T06:00:00Z'))) as Json;
}

export function resource(b: Json, entry: number): Json {
  return b['entry'][entry].resource as Json;
}

/** A finding as the tests state it: rule @ location (code, severity). */
export type Expected = [rule: string, location: string, code: string, severity?: 'error' | 'warning'];

/** Validates and expects exactly these findings, in order. */
export function expectFindings(b: unknown, expected: Expected[], ig?: IgVersion): ValidationIssue[] {
  const { issues, valid } = validateBundle(b, ig ? { ig } : {});
  const got = issues.map((i) => `${i.rule} @ ${i.location} (${i.code}, ${i.severity})`);
  expect(got).toEqual(expected.map(([rule, location, code, severity]) => `${rule} @ ${location} (${code}, ${severity ?? 'error'})`));

  for (const issue of issues) expect(issue.message.length).toBeGreaterThan(10);
  expect(valid).toBe(!expected.some(([, , , severity]) => (severity ?? 'error') === 'error'));
  return issues;
}

/** The location of an element in an entry's resource. */
export function loc(entry: number, path: string): string {
  return `Bundle.entry[${entry}].resource.${path}`;
}
