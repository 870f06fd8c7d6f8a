/**
 * Address rules shared by lmdi-patient and lmdi-organization (no-basis-Address as LMDI restricts
 * it, the same in 1.0.7 and 1.1): only physical addresses, no street, city, postcode or country;
 * the municipality as a coded extension on district (Volven 3402) and the urban district as an
 * address extension (Volven 3403).
 */
import { at, isObject } from '../../validation/issues.js';
import type { CustomCheck, ElementRules, SliceGroup } from '../rules.js';
import {
  EXT_ADDRESS_OFFICIAL,
  EXT_MUNICIPALITY,
  EXT_PROPERTY_INFORMATION,
  EXT_URBAN_DISTRICT,
  OID_MUNICIPALITY,
  OID_URBAN_DISTRICT,
} from './systems.js';

export const ADDRESS_FORBIDDEN = ['address.text', 'address.line', 'address.city', 'address.postalCode', 'address.country'] as const;

/** A coded extension whose valueCoding must come from `system` and carry a code. */
function codedExtension(system: string, codeCheck?: CustomCheck): ElementRules {
  return {
    valueType: 'valueCoding',
    required: [{ path: 'valueCoding', hint: `a Coding from ${system}.` }, { path: 'valueCoding.code', hint: 'the code.' }],
    fixed: [{ path: 'valueCoding.system', value: system }],
    ...(codeCheck ? { checks: [codeCheck] } : {}),
  };
}

/** Kommunenummer are four digits; the code system is not published in full, so only the form is checked (warning). */
const municipalityCodeForm: CustomCheck = (extension, site, prefix, out) => {
  const coding = extension['valueCoding'];
  const code = isObject(coding) ? coding['code'] : undefined;
  if (typeof code === 'string' && !/^\d{4}$/.test(code)) {
    out.warning('code-invalid', `${prefix}.valueCoding.code/format`, at(site, 'valueCoding.code'), 'A kommunenummer (Volven 3402) has four digits, e.g. "4601" for Bergen.');
  }
};

export const ADDRESS_SLICES: readonly SliceGroup[] = [
  {
    path: 'address.extension',
    discriminator: 'url',
    rules: 'open',
    slices: [
      { name: 'official', value: EXT_ADDRESS_OFFICIAL, max: 0 },
      { name: 'propertyInformation', value: EXT_PROPERTY_INFORMATION, max: 0 },
      { name: 'urbanDistrict', value: EXT_URBAN_DISTRICT, max: 1, rules: codedExtension(OID_URBAN_DISTRICT) },
    ],
  },
  {
    path: 'address.district.extension',
    discriminator: 'url',
    rules: 'open',
    slices: [{ name: 'municipalitycode', value: EXT_MUNICIPALITY, max: 1, rules: codedExtension(OID_MUNICIPALITY, municipalityCodeForm) }],
  },
];

export const ADDRESS_TYPE_RULES: ElementRules = {
  fixed: [{ path: 'address.type', value: 'physical', code: 'code-invalid' }],
};
