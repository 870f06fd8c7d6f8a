/** lmdi-condition, IG 1.1: as 1.0.7, and a stage needs its summary. */
import { condition as base } from '../1.0.7/condition.js';
import { deriveProfile, type ProfileSpec } from '../rules.js';

export const condition: ProfileSpec = deriveProfile(base, {
  required: [...(base.required ?? []), { path: 'stage.summary', hint: 'the stage summary (1..1 in 1.1).' }],
});
