/** lmdi-medicationrequest, IG 1.1: the same rules as 1.0.7 (restated so each version has its own module). */
import { medicationRequest as base } from '../1.0.7/medicationrequest.js';
import { deriveProfile, type ProfileSpec } from '../rules.js';

export const medicationRequest: ProfileSpec = deriveProfile(base, {});
