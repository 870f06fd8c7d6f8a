/** lmdi-substance (Virkestoff), added to the bundle in IG 1.1: an active ingredient, coded from FEST. */
import { FEST_SUBSTANCE } from '../common/systems.js';
import type { ProfileSpec } from '../rules.js';

export const substance: ProfileSpec = {
  id: 'lmdi-substance',
  resourceType: 'Substance',
  forbidden: ['text', 'description', 'ingredient'],
  required: [
    { path: 'category', hint: 'the substance category (1..1 in LMDI).' },
    { path: 'code', hint: 'the substance code, preferably from FEST.' },
  ],
  maxOne: ['category'],
  slices: [
    {
      path: 'code.coding',
      discriminator: 'system',
      rules: 'open',
      slices: [{ name: 'FEST-Substance', value: FEST_SUBSTANCE, max: 1, rules: { required: [{ path: 'code', hint: 'the FEST substance id.' }, { path: 'display', hint: 'the substance name.' }] } }],
    },
  ],
};
