import { ig107 } from './1.0.7/index.js';
import { ig11 } from './1.1/index.js';
import type { IgRules, IgVersion } from './rules.js';

export { IG_VERSIONS, LMDI_PROFILE_BASE } from './rules.js';
export type { IgRules, IgVersion, ProfileSpec } from './rules.js';

const RULES: Readonly<Record<IgVersion, IgRules>> = { '1.0.7': ig107, '1.1': ig11 };

export const DEFAULT_IG: IgVersion = '1.0.7';

export function rulesFor(version: IgVersion): IgRules {
  return RULES[version];
}
