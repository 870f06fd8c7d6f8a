import { describe, expect, it } from 'vitest';

import { FhirInputError, parseBundleJson } from '../../src/fhir/index.js';

describe('parseBundleJson', () => {
  it('parses valid JSON and tolerates a byte order mark', () => {
    expect(parseBundleJson('\uFEFF{"resourceType":"Bundle"}', 'a.json')).toEqual({ resourceType: 'Bundle' });
  });

  it('names the file, line and column of a syntax error', () => {
    const text = '{\n  "resourceType": "Bundle",\n  "type": }\n';

    let caught: unknown;
    try {
      parseBundleJson(text, 'levering-2025-03-10.json');
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(FhirInputError);
    const error = caught as FhirInputError;
    expect(error.code).toBe('FHIR_NOT_JSON');
    expect(error.message).toContain('levering-2025-03-10.json');
    expect(error.message).toContain('line 3, column 11');
  });

  it('reports a truncated file at its end', () => {
    expect(() => parseBundleJson('{\n"entry": [\n', 'cut.json')).toThrow(/cut\.json.*line 3, column 1/);
  });

  it('reports a trailing comma', () => {
    expect(() => parseBundleJson('{"a": [1, 2,]}', 'comma.json')).toThrow(/comma\.json.*line 1, column 13/);
  });
});
