/**
 * The rules of LMDI IG 1.1 (checked against the 1.1.2 definitions): nine profiles, lmdi-substance
 * added. Patient and Practitioner are unchanged from 1.0.7.
 */
import { patient } from '../1.0.7/patient.js';
import { practitioner } from '../1.0.7/practitioner.js';
import { allowedResources } from '../common/bundle.js';
import type { IgRules, ProfileSpec } from '../rules.js';
import { condition } from './condition.js';
import { encounter } from './encounter.js';
import { medication } from './medication.js';
import { medicationAdministration } from './medicationadministration.js';
import { medicationRequest } from './medicationrequest.js';
import { organization } from './organization.js';
import { substance } from './substance.js';

const profiles: ProfileSpec[] = [condition, practitioner, encounter, medication, medicationAdministration, medicationRequest, organization, patient, substance];

export const ig11: IgRules = {
  version: '1.1',
  profiles: Object.fromEntries(profiles.map((p) => [p.resourceType, p])),
  entryInvariants: [allowedResources(profiles.map((p) => p.id))],
};
