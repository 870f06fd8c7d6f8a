/**
 * Check-digit validation of Norwegian identifiers used in LMDI resources.
 *
 * These functions only answer "is this well-formed?". They never log or echo the value, because a
 * fødselsnummer or D-nummer is personal data.
 */

/** Weights for the first (k1) and second (k2) check digit of a fødselsnummer/D-nummer. */
const K1_WEIGHTS = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const K2_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/** Weights for the check digit of an organisation number (Enhetsregisteret). */
const ORG_WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2];

/**
 * The mod-11 check digit for `digits` with `weights`, or undefined when the remainder gives 10
 * (such numbers are never issued).
 */
export function mod11CheckDigit(digits: readonly number[], weights: readonly number[]): number | undefined {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits[i] ?? 0) * (weights[i] ?? 0);

  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return undefined;
  return check;
}

function toDigits(value: string): number[] {
  return [...value].map((c) => c.charCodeAt(0) - 48);
}

/** Both check digits of an 11-digit person number (shared by FNR and DNR). */
function hasValidPersonCheckDigits(value: string): boolean {
  if (!/^\d{11}$/.test(value)) return false;
  const digits = toDigits(value);

  const k1 = mod11CheckDigit(digits, K1_WEIGHTS);
  if (k1 === undefined || k1 !== digits[9]) return false;

  const k2 = mod11CheckDigit(digits, K2_WEIGHTS);
  return k2 !== undefined && k2 === digits[10];
}

/**
 * Fødselsnummer: 11 digits, DDMMYY + individual number + two mod-11 check digits.
 * The date part is deliberately not checked beyond the first digit: synthetic and test numbers
 * (used by Testnorge, Helsenorge and the IG examples) shift the month by +40 or +80.
 */
export function isValidFodselsnummer(value: string): boolean {
  if (!hasValidPersonCheckDigits(value)) return false;

  // A day of month starts with 0-3; 4-7 would be a D-nummer.
  return /^[0-3]/.test(value);
}

/** D-nummer: like a fødselsnummer but the first digit is raised by 4 (so 4-7). */
export function isValidDnummer(value: string): boolean {
  if (!hasValidPersonCheckDigits(value)) return false;
  return /^[4-7]/.test(value);
}

/** Organisation number from Enhetsregisteret: 9 digits, the last is a mod-11 check digit. */
export function isValidOrgNumber(value: string): boolean {
  if (!/^\d{9}$/.test(value)) return false;
  const digits = toDigits(value);

  const check = mod11CheckDigit(digits, ORG_WEIGHTS);
  return check !== undefined && check === digits[8];
}

/**
 * HPR number (Helsepersonellregisteret): a positive integer of up to 9 digits, no leading zero.
 * Only the format is checked — we have no published check-digit rule to rely on, and rejecting a
 * real health worker's number would block a whole delivery.
 */
export function isValidHprNumber(value: string): boolean {
  return /^[1-9]\d{0,8}$/.test(value);
}

/**
 * Completes a 9-digit person-number base (DDMMYY + 3-digit individual number) with its two
 * check digits, or returns undefined when that base has no valid completion.
 * Used to build synthetic test numbers; never use it to guess a real person's number.
 */
export function withPersonCheckDigits(base9: string): string | undefined {
  if (!/^\d{9}$/.test(base9)) return undefined;

  const k1 = mod11CheckDigit(toDigits(base9), K1_WEIGHTS);
  if (k1 === undefined) return undefined;

  const k2 = mod11CheckDigit(toDigits(`${base9}${k1}`), K2_WEIGHTS);
  if (k2 === undefined) return undefined;

  return `${base9}${k1}${k2}`;
}

/** Completes an 8-digit base with the organisation-number check digit, or undefined. */
export function withOrgCheckDigit(base8: string): string | undefined {
  if (!/^\d{8}$/.test(base8)) return undefined;

  const check = mod11CheckDigit(toDigits(base8), ORG_WEIGHTS);
  return check === undefined ? undefined : `${base8}${check}`;
}

/** Month offsets that synthetic test numbers use: +40 (NAV/Testnorge) and +80 (Skatteetaten). */
const SYNTHETIC_MONTH_OFFSETS = [0, 40, 80] as const;

/**
 * The birth date encoded in a fødselsnummer or D-nummer (YYYY-MM-DD), or undefined when the digits
 * cannot be a date: impossible day or month, an individual number that fits no century, or a
 * date after `today`. Synthetic month offsets (+40, +80) are accepted and removed; a D-nummer's
 * day is lowered by 40 first.
 */
export function personNumberBirthDate(value: string, kind: 'FNR' | 'DNR', today: Date = new Date()): string | undefined {
  if (!/^\d{11}$/.test(value)) return undefined;

  const day = Number(value.slice(0, 2)) - (kind === 'DNR' ? 40 : 0);
  const rawMonth = Number(value.slice(2, 4));
  const month = SYNTHETIC_MONTH_OFFSETS.map((offset) => rawMonth - offset).find((m) => m >= 1 && m <= 12);
  const year = centuryYear(Number(value.slice(4, 6)), Number(value.slice(6, 9)));
  if (month === undefined || year === undefined) return undefined;

  const date = new Date(Date.UTC(year, month - 1, day));
  if (day < 1 || date.getUTCMonth() !== month - 1 || date.getTime() > today.getTime()) return undefined;

  return date.toISOString().slice(0, 10);
}

/** The four-digit year from YY and the individual number (Skatteetaten's allocation ranges). */
function centuryYear(yy: number, individual: number): number | undefined {
  if (individual <= 499) return 1900 + yy;
  if (individual <= 749 && yy >= 54) return 1800 + yy;
  if (yy <= 39) return 2000 + yy;
  if (individual >= 900) return 1900 + yy;
  return undefined;
}
