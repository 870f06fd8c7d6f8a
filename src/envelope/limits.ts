import { EnvelopeError } from './envelope-error.js';

/** Bounds on decompression, so a small envelope cannot inflate into an exhausted disk or heap. */
export interface InflationLimits {
  /** Refuse content that inflates beyond this many bytes. */
  maxInflatedBytes?: number;
  /** Refuse content that inflates to more than this many times its compressed size... */
  maxInflationRatio?: number;
  /** ...once it has inflated past this many bytes (small bundles may compress unusually well). */
  ratioFloorBytes?: number;
}

export const DEFAULT_LIMITS = {
  // The in-memory API builds one string; V8 caps strings near 512 MiB anyway.
  inMemoryMaxInflatedBytes: 512 * 1024 * 1024,
  streamingMaxInflatedBytes: 4 * 1024 * 1024 * 1024,
  // FHIR JSON compresses roughly 5-30x; a gzip bomb reaches about 1000x.
  maxInflationRatio: 200,
  ratioFloorBytes: 16 * 1024 * 1024,
} as const;

/** The byte count at which inflating `compressedBytes` must stop, and the rule that sets it. */
export function inflationBudget(compressedBytes: number, limits: InflationLimits, streaming: boolean) {
  const maxBytes = limits.maxInflatedBytes ?? (streaming ? DEFAULT_LIMITS.streamingMaxInflatedBytes : DEFAULT_LIMITS.inMemoryMaxInflatedBytes);
  const ratio = limits.maxInflationRatio ?? DEFAULT_LIMITS.maxInflationRatio;
  const byRatio = Math.max(limits.ratioFloorBytes ?? DEFAULT_LIMITS.ratioFloorBytes, ratio * compressedBytes);

  return byRatio < maxBytes
    ? { bytes: byRatio, error: () => ratioError(ratio, compressedBytes) }
    : { bytes: maxBytes, error: () => sizeError(maxBytes) };
}

function sizeError(maxBytes: number): EnvelopeError {
  return new EnvelopeError('ENVELOPE_TOO_LARGE', `the content inflates beyond the limit of ${maxBytes} bytes`);
}

function ratioError(ratio: number, compressedBytes: number): EnvelopeError {
  return new EnvelopeError(
    'ENVELOPE_RATIO_EXCEEDED',
    `the content inflates to more than ${ratio} times its ${compressedBytes} compressed bytes (a gzip bomb?)`,
  );
}
