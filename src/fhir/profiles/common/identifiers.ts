/**
 * Checks of Norwegian identifiers inside identifier slices. Severity:
 * - FNR/DNR not 11 digits or failing mod-11: error
 * - FNR/DNR without a possible birth date: warning (test numbers use month offsets beyond the
 *   known +40/+80; the IG's own examples use +65)
 * - Patient.birthDate that differs from the date in a (non-synthetic) FNR/DNR: warning
 * - organisation number (ENH) not 9 digits with a valid mod-11 check digit: error
 * - HPR number not 1-9 digits: error (no public check-digit rule, so none is applied)
 * - RESH id not digits: warning (no published format)
 * Messages never contain the number itself.
 */
import { isValidDnummer, isValidFodselsnummer, isValidHprNumber, isValidOrgNumber, personNumberBirthDate } from '../../norwegian-ids.js';
import { at, isObject } from '../../validation/issues.js';
import type { CustomCheck } from '../rules.js';

/** Format, mod-11 and birth date of a fødselsnummer (FNR) or D-nummer (DNR) in identifier.value. */
export function personNumberCheck(kind: 'FNR' | 'DNR'): CustomCheck {
  const name = kind === 'FNR' ? 'fødselsnummer' : 'D-nummer';
  const valid = kind === 'FNR' ? isValidFodselsnummer : isValidDnummer;

  return (identifier, site, prefix, out) => {
    const value = identifier['value'];
    if (value === undefined) return; // reported by the slice's required rule
    const valueSite = at(site, 'value');

    if (typeof value !== 'string' || !/^\d{11}$/.test(value)) {
      out.error('value', `${prefix}.value/format`, valueSite, `The ${name} at ${valueSite.location} must be exactly 11 digits.`);
    } else if (!valid(value)) {
      out.error('value', `${prefix}.value/check-digits`, valueSite, `The ${name} at ${valueSite.location} fails its mod-11 check digits; check that the number was typed correctly.`);
    } else if (personNumberBirthDate(value, kind) === undefined) {
      out.warning('value', `${prefix}.value/birth-date`, valueSite, `The ${name} at ${valueSite.location} does not start with a possible birth date (DDMMYY with the individual number's century); check the number.`);
    }
  };
}

/** Patient-level: birthDate agrees with the date in FNR/DNR (synthetic numbers are skipped). */
export const birthDateMatchesPersonNumber: CustomCheck = (patient, site, prefix, out) => {
  const birthDate = patient['birthDate'];
  if (typeof birthDate !== 'string' || !Array.isArray(patient['identifier'])) return;

  for (const identifier of patient['identifier']) {
    if (!isObject(identifier) || typeof identifier['value'] !== 'string') continue;
    const kind = identifier['system'] === 'urn:oid:2.16.578.1.12.4.1.4.1' ? 'FNR' : identifier['system'] === 'urn:oid:2.16.578.1.12.4.1.4.2' ? 'DNR' : undefined;
    // Only a well-formed, non-synthetic number says anything about the birth date.
    const valid = kind === 'FNR' ? isValidFodselsnummer : isValidDnummer;
    if (kind === undefined || !valid(identifier['value']) || Number(identifier['value'].slice(2, 4)) > 12) continue;

    const encoded = personNumberBirthDate(identifier['value'], kind);
    if (encoded !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(birthDate) && encoded !== birthDate) {
      out.warning('value', `${prefix}.birthDate/person-number`, at(site, 'birthDate'), `birthDate differs from the birth date in the patient's ${kind === 'FNR' ? 'fødselsnummer' : 'D-nummer'}; check both.`);
    }
  }
};

export const orgNumberCheck: CustomCheck = (identifier, site, prefix, out) => {
  const value = identifier['value'];
  if (value === undefined) return;
  if (typeof value !== 'string' || !isValidOrgNumber(value)) {
    const valueSite = at(site, 'value');
    out.error('value', `${prefix}.value/check-digit`, valueSite, `The organisation number at ${valueSite.location} must be 9 digits with a valid mod-11 check digit (see Enhetsregisteret).`);
  }
};

export const reshIdCheck: CustomCheck = (identifier, site, prefix, out) => {
  const value = identifier['value'];
  if (value === undefined) return;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) {
    out.warning('value', `${prefix}.value/format`, at(site, 'value'), 'A RESH id is a number of up to 9 digits; check the value against the RESH register.');
  }
};

export const hprNumberCheck: CustomCheck = (identifier, site, prefix, out) => {
  const value = identifier['value'];
  if (value === undefined) return;
  if (typeof value !== 'string' || !isValidHprNumber(value)) {
    out.error('value', `${prefix}.value/format`, at(site, 'value'), 'An HPR number is 1 to 9 digits without a leading zero; copy it from Helsepersonellregisteret.');
  }
};
