/** Dates must exist: the R4 format regexes accept 2026-02-30, the validator does not. */
import { describe, expect, it } from 'vitest';

import { isCalendarDate } from '../../src/fhir/r4/structure.js';
import { E, bundle, expectFindings, loc, resource } from './support/bundle.js';

describe('calendar dates', () => {
  it('a dateTime on a day that does not exist', () => {
    const b = bundle();
    resource(b, E.rekvA1)['authoredOn'] = '2025-02-29';
    expectFindings(b, [['r4.MedicationRequest.authoredOn', loc(E.rekvA1, 'authoredOn'), 'value']]);
  });

  it('an instant on a day that does not exist', () => {
    const b = bundle();
    b['timestamp'] = '2026-02-30T13:28:17+01:00';
    expectFindings(b, [['r4.Bundle.timestamp', 'Bundle.timestamp', 'value']]);
  });

  it('knows leap years and month lengths', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2000-02-29T10:00:00Z')).toBe(true);
    expect(isCalendarDate('1900-02-29')).toBe(false);
    expect(isCalendarDate('2025-04-31')).toBe(false);
    expect(isCalendarDate('2025-04')).toBe(true);
  });
});
