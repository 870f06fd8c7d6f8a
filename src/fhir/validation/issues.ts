/**
 * Validation findings and the collector every rule writes to.
 *
 * A finding always says where (a FHIRPath location), in which entry, which rule, and what a person
 * should change. Messages never contain the value of a fødselsnummer or D-nummer.
 */

export type Severity = 'error' | 'warning';

/** FHIR IssueType codes used by the validator. */
export type IssueCode =
  | 'structure'
  | 'required'
  | 'value'
  | 'invalid'
  | 'invariant'
  | 'code-invalid'
  | 'not-found'
  | 'business-rule';

export interface ValidationIssue {
  severity: Severity;
  /** FHIR issue type. */
  code: IssueCode;
  /**
   * Stable rule id: profile and element ("lmdi-patient.name", "lmdi-patient.identifier:FNR.value"),
   * profile and invariant key ("lmdi-organization:lmdi-org-identifier"), or base R4 ("r4.Patient.gender").
   */
  rule: string;
  /** FHIRPath of the offending element, e.g. Bundle.entry[3].resource.dosage.text. */
  location: string;
  fullUrl?: string;
  resourceType?: string;
  /** Tells a person what to change. */
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  issues: ValidationIssue[];
}

/** Where a finding is, and for which entry. */
export interface Site {
  location: string;
  fullUrl?: string;
  resourceType?: string;
}

export type Json = Record<string, unknown>;

/** Collects issues; one per problem found. */
export class Collector {
  readonly issues: ValidationIssue[] = [];

  error(code: IssueCode, rule: string, site: Site, message: string): void {
    this.add('error', code, rule, site, message);
  }

  warning(code: IssueCode, rule: string, site: Site, message: string): void {
    this.add('warning', code, rule, site, message);
  }

  add(severity: Severity, code: IssueCode, rule: string, site: Site, message: string): void {
    const issue: ValidationIssue = { severity, code, rule, location: site.location, message };
    if (site.fullUrl !== undefined) issue.fullUrl = site.fullUrl;
    if (site.resourceType !== undefined) issue.resourceType = site.resourceType;
    this.issues.push(issue);
  }
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** FHIR lists are arrays; a single value counts as a list of one, a missing one as empty. */
export function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The site of a child element. */
export function at(site: Site, path: string): Site {
  return { ...site, location: `${site.location}.${path}` };
}
