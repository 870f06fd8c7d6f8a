/**
 * lmdi-medicationadministration, IG 1.1: time-required uses toString(), a route needs a coding, and a
 * Volven 7477 route coding needs its code.
 */
import { medicationAdministration as base, routeSlices, timeRequired } from '../1.0.7/medicationadministration.js';
import { deriveProfile, type ProfileSpec } from '../rules.js';

const TIME_REQUIRED_1_1 = "$this.toString().matches('^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}.*$')";

export const medicationAdministration: ProfileSpec = deriveProfile(base, {
  required: [...(base.required ?? []), { path: 'dosage.route.coding', hint: 'a coded route (SNOMED CT or Volven 7477).' }],
  slices: [routeSlices('OID7477', true)],
  invariants: [
    timeRequired('effectiveDateTime', TIME_REQUIRED_1_1),
    timeRequired('effectivePeriod.start', TIME_REQUIRED_1_1),
    timeRequired('effectivePeriod.end', TIME_REQUIRED_1_1),
  ],
});
