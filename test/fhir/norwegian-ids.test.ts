import { describe, expect, it } from 'vitest';

import { isValidDnummer, isValidFodselsnummer, isValidHprNumber, isValidOrgNumber, personNumberBirthDate } from '../../src/fhir/index.js';
import { withPersonCheckDigits } from '../../src/fhir/norwegian-ids.js';

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

describe('personNumberBirthDate', () => {
  it('reads the birth date and century of a fødselsnummer', () => {
    expect(personNumberBirthDate(withPersonCheckDigits('030238123') as string, 'FNR')).toBe('1938-02-03');
    expect(personNumberBirthDate(withPersonCheckDigits('130313534') as string, 'FNR')).toBe('2013-03-13');
  });

  it('lowers a D-nummer day by 40 and removes synthetic month offsets', () => {
    expect(personNumberBirthDate(withPersonCheckDigits('611145123') as string, 'DNR')).toBe('1945-11-21');
    expect(personNumberBirthDate(withPersonCheckDigits('034238123') as string, 'FNR')).toBe('1938-02-03');
    expect(personNumberBirthDate(withPersonCheckDigits('038238123') as string, 'FNR')).toBe('1938-02-03');
  });

  it('rejects impossible dates, centuries and future dates', () => {
    const first = (base6: string, from: number, to: number) =>
      [...Array(to - from).keys()].map((n) => withPersonCheckDigits(`${base6}${from + n}`)).find(Boolean) as string;
    expect(personNumberBirthDate(first('300238', 100, 499), 'FNR')).toBeUndefined(); // 30 February
    expect(personNumberBirthDate(first('010145', 750, 899), 'FNR')).toBeUndefined(); // no century for 750-899 with 45
    expect(personNumberBirthDate(first('010138', 500, 999), 'FNR', new Date('2025-01-01'))).toBeUndefined(); // 2038
    expect(personNumberBirthDate('1234', 'FNR')).toBeUndefined();
  });
});
