/** The rules of LMDI IG 1.0.7: eight profiles in a transaction bundle. */
import { allowedResources } from '../common/bundle.js';
import type { IgRules, ProfileSpec } from '../rules.js';
import { condition } from './condition.js';
import { encounter } from './encounter.js';
import { medication } from './medication.js';
import { medicationAdministration } from './medicationadministration.js';
import { medicationRequest } from './medicationrequest.js';
import { organization } from './organization.js';
import { patient } from './patient.js';
import { practitioner } from './practitioner.js';

const profiles: ProfileSpec[] = [patient, practitioner, medication, medicationAdministration, condition, encounter, medicationRequest, organization];

export const ig107: IgRules = {
  version: '1.0.7',
  profiles: Object.fromEntries(profiles.map((p) => [p.resourceType, p])),
  entryInvariants: [allowedResources(profiles.map((p) => p.id))],
};
