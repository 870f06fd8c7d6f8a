/** lmdi-encounter (Episode), IG 1.0.7: only status, class, the place (serviceProvider) and an NPR episode id. */
import { EXT_NPR_EPISODE } from '../common/systems.js';
import type { ElementRules, InvariantSpec, ProfileSpec } from '../rules.js';

const AT_LEAST_ONE_ID: InvariantSpec = {
  key: 'npr-episode-at-least-one',
  severity: 'error',
  path: '',
  type: 'Extension',
  expression: "extension('stringIdentifier').exists() or extension('uuidIdentifier').exists()",
  message: 'Give the NPR episode identifier a stringIdentifier or a uuidIdentifier sub-extension.',
};

/** The complex extension npr-episode-identifier: two optional sub-extensions, no value of its own. */
export const NPR_EPISODE_IDENTIFIER: ElementRules = {
  valueType: null,
  slices: [
    {
      path: 'extension',
      discriminator: 'url',
      rules: 'open',
      slices: [
        { name: 'stringIdentifier', value: 'stringIdentifier', max: 1, rules: { valueType: 'valueString', required: [{ path: 'valueString', hint: 'the episode id as text.' }], forbidden: ['extension'] } },
        { name: 'uuidIdentifier', value: 'uuidIdentifier', max: 1, rules: { valueType: 'valueUuid', required: [{ path: 'valueUuid', hint: 'the episode id as urn:uuid:….' }], forbidden: ['extension'] } },
      ],
    },
  ],
  invariants: [AT_LEAST_ONE_ID],
};

export const encounter: ProfileSpec = {
  id: 'lmdi-encounter',
  resourceType: 'Encounter',
  forbidden: [
    'text', 'statusHistory', 'classHistory', 'type', 'serviceType', 'priority', 'subject', 'episodeOfCare',
    'basedOn', 'participant', 'appointment', 'period', 'length', 'reasonCode', 'reasonReference', 'diagnosis',
    'account', 'hospitalization', 'location', 'partOf',
  ],
  slices: [
    { path: 'extension', discriminator: 'url', rules: 'open', slices: [{ name: 'nprEpisodeIdentifier', value: EXT_NPR_EPISODE, max: 1, rules: NPR_EPISODE_IDENTIFIER }] },
  ],
  references: [{ path: 'serviceProvider', targets: ['lmdi-organization'] }],
};
