import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DeliveryError, withRetries, type DeliveryResult } from '../../src/client/index.js';
import { HelseIdClient, HelseIdError } from '../../src/helseid/index.js';

/** An HTTP endpoint that answers with the given statuses in turn, then 200. */
const statuses: number[] = [];
const app = Fastify();
app.post('/', async (_request, reply) => reply.code(statuses.shift() ?? 200).send({ resourceType: 'OperationOutcome', issue: [] }));
let url: string;

beforeAll(async () => {
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => app.close());

async function post(): Promise<DeliveryResult> {
  const response = await fetch(url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  return { httpStatus: response.status, outcome: await response.json(), accepted: response.status === 200 };
}

describe('withRetries: the protocol’s resends', () => {
  it('sends again after 5xx answers and returns the answer that came', async () => {
    statuses.push(503, 500);
    const retried: string[] = [];

    const result = await withRetries(post, { retries: 3, delayMs: 0, onRetry: (n, reason) => retried.push(`${n} ${reason}`) });

    expect(result.httpStatus).toBe(200);
    expect(retried).toEqual(['1 HTTP 503', '2 HTTP 500']);
  });

  it('takes a 400 as final: the data must be corrected, not resent', async () => {
    statuses.push(400);
    let attempts = 0;

    const result = await withRetries(() => (attempts++, post()), { retries: 3, delayMs: 0 });

    expect(result.httpStatus).toBe(400);
    expect(attempts).toBe(1);
  });

  it('gives up after the last retry with every attempt listed', async () => {
    statuses.push(503, 503, 503, 503);

    const error = await withRetries(post, { retries: 3, delayMs: 0 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).code).toBe('DELIVERY_FAILED');
    expect((error as DeliveryError).attempts).toHaveLength(4);
  });

  it('retries when HelseID cannot be reached', async () => {
    // A port that was free a moment ago: nothing listens there.
    const closed = Fastify();
    const issuer = await closed.listen({ host: '127.0.0.1', port: 0 });
    await closed.close();
    const client = new HelseIdClient({ issuer, clientId: 'x', clientKey: { kty: 'oct' } });
    let attempts = 0;

    const error = await withRetries(
      async () => {
        attempts++;
        await client.getAccessToken();
        return post();
      },
      { retries: 1, delayMs: 0 },
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DeliveryError);
    expect(attempts).toBe(2);
    expect((error as DeliveryError).attempts[0]).toMatch(/HELSEID_UNREACHABLE/);
  });

  it('does not retry a HelseID refusal of the client itself', async () => {
    let attempts = 0;
    const error = await withRetries(
      async () => {
        attempts++;
        throw new HelseIdError('HELSEID_INVALID_CLIENT', 'invalid_client');
      },
      { retries: 3, delayMs: 0 },
    ).catch((e: unknown) => e);

    expect((error as HelseIdError).code).toBe('HELSEID_INVALID_CLIENT');
    expect(attempts).toBe(1);
  });
});
