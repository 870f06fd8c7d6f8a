import { setTimeout as sleep } from 'node:timers/promises';

import { LmdiError } from '../errors/index.js';
import type { DeliveryResult } from './deliver.js';

export type DeliveryErrorCode = 'DELIVERY_FAILED';

export class DeliveryError extends LmdiError<DeliveryErrorCode> {
  /** One line per attempt: what went wrong. */
  readonly attempts: string[];

  constructor(message: string, attempts: string[], options?: { cause?: unknown }) {
    super('DELIVERY_FAILED', message, options);
    this.attempts = attempts;
  }
}

export interface RetryPolicy {
  /** Retries after the first attempt; the protocol says up to 3 (SPEC §6). */
  retries: number;
  /** Wait between attempts; the protocol says about an hour. */
  delayMs: number;
  /** Progress for a person: called before each wait. */
  onRetry?: (attempt: number, reason: string, delayMs: number) => void;
}

export const PROTOCOL_RETRY_POLICY: RetryPolicy = { retries: 3, delayMs: 60 * 60 * 1000 };

/**
 * Runs a delivery with the protocol's retries. A delivery that failed in transit (no answer, or
 * a 5xx) is sent again; an answer that judges the content (200, 4xx) is final: a 400 means the
 * data must be corrected at the source and sent in a later delivery, never resent as it is.
 */
export async function withRetries(attempt: () => Promise<DeliveryResult>, policy: RetryPolicy = PROTOCOL_RETRY_POLICY): Promise<DeliveryResult> {
  const failures: string[] = [];

  for (let number = 1; ; number++) {
    let reason: string;
    let cause: unknown;
    try {
      const result = await attempt();
      if (result.httpStatus < 500) return result;
      reason = `HTTP ${result.httpStatus}`;
    } catch (error) {
      if (isPermanent(error)) throw error;
      cause = error;
      reason = describe(error);
    }

    failures.push(`attempt ${number}: ${reason}`);
    if (number > policy.retries) {
      throw new DeliveryError(`delivery failed after ${number} attempt${number === 1 ? '' : 's'}; last: ${reason}`, failures, { cause });
    }
    policy.onRetry?.(number, reason, policy.delayMs);
    await sleep(policy.delayMs);
  }
}

/** Failures that another attempt cannot mend: the configuration must change first. */
const PERMANENT_CODES = new Set(['HELSEID_INVALID_CLIENT', 'HELSEID_INVALID_SCOPE', 'HELSEID_NOT_DPOP_BOUND', 'HELSEID_KEY_INVALID']);

function isPermanent(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && PERMANENT_CODES.has(code);
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown; cause?: { code?: unknown } }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}
