export {
  FhirInputError,
  LMDI_PROFILE_BASE,
  LMDI_PROFILES,
  OID_DNR,
  OID_ENH,
  OID_FNR,
  OID_HPR,
  OID_RSH,
  parseBundleJson,
  toOperationOutcome,
  validateBundle,
} from './validate-bundle.js';
export type { Severity, ValidationIssue, ValidationResult } from './validate-bundle.js';
export { isValidDnummer, isValidFodselsnummer, isValidHprNumber, isValidOrgNumber } from './norwegian-ids.js';
export { SAMPLE_SENDER_ORG_NUMBER, sampleBundle } from './sample-bundle.js';
