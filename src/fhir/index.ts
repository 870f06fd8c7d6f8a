export {
  FhirInputError,
  ISSUE_EXTENSION_FULLURL,
  ISSUE_EXTENSION_RESOURCE_TYPE,
  LMDI_PROFILE_BASE,
  LMDI_PROFILES,
  OID_DNR,
  OID_ENH,
  OID_FNR,
  OID_HPR,
  OID_RSH,
  RULE_SYSTEM,
  parseBundleJson,
  toOperationOutcome,
  validateBundle,
} from './validate-bundle.js';
export type { IssueCode, Severity, ValidateOptions, ValidationIssue, ValidationResult } from './validate-bundle.js';
export { DEFAULT_IG, IG_VERSIONS, rulesFor } from './profiles/index.js';
export type { IgVersion } from './profiles/index.js';
export { isValidDnummer, isValidFodselsnummer, isValidHprNumber, isValidOrgNumber, personNumberBirthDate } from './norwegian-ids.js';
export { SAMPLE_SENDER_ORG_NUMBER, sampleBundle } from './sample-bundle.js';
export { preloadValidator } from './preload.js';
