import { describe, expect, it } from 'vitest';

import { isValidDnummer, isValidFodselsnummer, isValidHprNumber, isValidOrgNumber } from '../../src/fhir/index.js';

// All person numbers here are synthetic: made up, with check digits computed for them.
describe('isValidFodselsnummer', () => {
  it('accepts numbers with both check digits right', () => {
    expect(isValidFodselsnummer('15017240037')).toBe(true);
    expect(isValidFodselsnummer('29029940108')).toBe(true);
  });

  it('rejects a wrong first or second check digit', () => {
    expect(isValidFodselsnummer('15017240047')).toBe(false);
    expect(isValidFodselsnummer('15017240038')).toBe(false);
  });

  it('rejects wrong length, non-digits and D-nummer', () => {
    expect(isValidFodselsnummer('1501724003')).toBe(false);
    expect(isValidFodselsnummer('150172400371')).toBe(false);
    expect(isValidFodselsnummer('1501724003a')).toBe(false);
    expect(isValidFodselsnummer('41019040028')).toBe(false);
  });
});

describe('isValidDnummer', () => {
  it('accepts a D-nummer (first digit raised by 4) with valid check digits', () => {
    expect(isValidDnummer('41019040028')).toBe(true);
    expect(isValidDnummer('71038540097')).toBe(true);
  });

  it('rejects bad check digits and ordinary fødselsnummer', () => {
    expect(isValidDnummer('41019040029')).toBe(false);
    expect(isValidDnummer('15017240037')).toBe(false);
  });
});

describe('isValidOrgNumber', () => {
  it('accepts 9 digits with a valid mod-11 check digit', () => {
    expect(isValidOrgNumber('974760673')).toBe(true);
    expect(isValidOrgNumber('123456785')).toBe(true);
  });

  it('rejects a wrong check digit, wrong length and non-digits', () => {
    expect(isValidOrgNumber('974760674')).toBe(false);
    expect(isValidOrgNumber('97476067')).toBe(false);
    expect(isValidOrgNumber('9747606730')).toBe(false);
    expect(isValidOrgNumber('97476067x')).toBe(false);
  });
});

describe('isValidHprNumber', () => {
  it('accepts up to 9 digits without leading zero', () => {
    expect(isValidHprNumber('4821637')).toBe(true);
    expect(isValidHprNumber('123456789')).toBe(true);
  });

  it('rejects empty, leading zero, letters and too long', () => {
    expect(isValidHprNumber('')).toBe(false);
    expect(isValidHprNumber('0482163')).toBe(false);
    expect(isValidHprNumber('48216A7')).toBe(false);
    expect(isValidHprNumber('1234567890')).toBe(false);
  });
});
