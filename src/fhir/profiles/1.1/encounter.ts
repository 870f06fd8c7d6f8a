/** lmdi-encounter, IG 1.1: as 1.0.7, but the NPR episode identifier extension may repeat (0..*). */
import { encounter as base, NPR_EPISODE_IDENTIFIER } from '../1.0.7/encounter.js';
import { EXT_NPR_EPISODE } from '../common/systems.js';
import { deriveProfile, type ProfileSpec } from '../rules.js';

export const encounter: ProfileSpec = deriveProfile(base, {
  slices: [{ path: 'extension', discriminator: 'url', rules: 'open', slices: [{ name: 'nprEpisodeIdentifier', value: EXT_NPR_EPISODE, rules: NPR_EPISODE_IDENTIFIER }] }],
});
