import { X509Certificate, createHash } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

import { type Credential } from '../certs/index.js';
import { EnvelopeError, open } from '../envelope/index.js';
import { DEFAULT_IG, FhirInputError, parseBundleJson, preloadValidator, toOperationOutcome, validateBundle, type IgVersion } from '../fhir/index.js';
import { DpopAuthError, createDpopVerifier, type VerifiedCaller } from '../helseid/verify.js';
import { StoreError, type SqliteStore, type RegisteredSender } from '../store/index.js';
import { failure, information, receipt, type OperationOutcome } from './operation-outcome.js';
import { ReceiverError } from './receiver-error.js';

export interface ReceiverOptions {
  store: SqliteStore;
  /** The register's key pairs; several at once during a certificate rollover. */
  registerCredentials: Credential[];
  /** The HelseID issuer whose DPoP-bound access tokens are accepted. */
  issuer: string;
  host?: string;
  port?: number;
  /** The URL callers use, when behind a proxy: DPoP proofs name it in `htu`. */
  externalBaseUrl?: string;
  requiredScope?: string;
  bodyLimitBytes?: number;
  /**
   * The largest decrypted bundle accepted (default 256 MiB). Validation holds the whole bundle,
   * about five times its size in memory, so this bounds the receiver's memory per delivery.
   */
  maxBundleBytes?: number;
  /** The LMDI implementation guide the bundles are checked against; default 1.0.7. */
  ig?: IgVersion;
  /** pino logging; off by default for library use. */
  logLevel?: 'silent' | 'error' | 'warn' | 'info' | 'debug';
}

export interface RunningReceiver {
  /** The base URL of the API, ending in /fhirmottak/v1. */
  url: string;
  close(): Promise<void>;
}

const API = '/fhirmottak/v1';
const DEFAULT_MAX_BUNDLE_BYTES = 256 * 1024 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    caller?: VerifiedCaller;
  }
}

/** Starts the register's FHIR-mottak on 127.0.0.1 (by default) and a free port. */
export async function startReceiver(options: ReceiverOptions): Promise<RunningReceiver> {
  // The R4 definitions and rules load once here, not on the first delivery.
  preloadValidator();

  const app = Fastify({
    bodyLimit: options.bodyLimitBytes ?? 256 * 1024 * 1024,
    logger: { level: options.logLevel ?? 'silent' },
  });
  app.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  let externalBase = options.externalBaseUrl;
  const verify = createDpopVerifier({
    issuer: options.issuer,
    replayCache: { remember: (jti, expiresAt) => options.store.rememberJti(jti, expiresAt) },
    ...(options.requiredScope ? { requiredScope: options.requiredScope } : {}),
  });

  // onRequest: the caller is checked before the body is read, so an anonymous request costs no parsing.
  app.addHook('onRequest', async (request) => {
    const url = `${externalBase}${request.url.split('?')[0]}`;
    request.caller = await verify({
      method: request.method,
      url,
      authorization: request.headers.authorization,
      dpop: headerValue(request.headers.dpop),
    });
  });
  app.setErrorHandler((error, request, reply) => answerError(error, request, reply));

  app.post(API, (request) => receive(options, request, true));
  app.post(`${API}/validateLegemiddelregisterBundle`, (request) => receive(options, request, false));
  app.post(`${API}/validate`, async (request, reply) => validateOnly(options, request, reply));

  const host = options.host ?? '127.0.0.1';
  const address = await app.listen({ host, port: options.port ?? 0 });
  externalBase ??= address;
  return { url: `${externalBase}${API}`, close: () => app.close() };
}

async function receive(options: ReceiverOptions, request: FastifyRequest, store: boolean): Promise<OperationOutcome> {
  const caller = request.caller as VerifiedCaller;

  const opened = open(request.body, {
    maxInflatedBytes: options.maxBundleBytes ?? DEFAULT_MAX_BUNDLE_BYTES,
    registerCredentials: options.registerCredentials,
    findSenderCertificate: (thumbprint) => senderCertificate(options.store.findSenderByThumbprint(thumbprint), caller),
  });

  const bundle = parseBundleJson(opened.content, `message ${opened.envelope.messageId}`);
  const result = validateBundle(bundle, { ig: options.ig ?? DEFAULT_IG });
  if (!result.valid) {
    throw new ReceiverError('BUNDLE_INVALID', 'the bundle does not conform to the LMDI profiles', { cause: result.issues });
  }
  if (!store) return information('The envelope opens, verifies and holds a valid bundle; nothing was stored.');

  const { envelope } = opened;
  const entries = (bundle as { identifier?: { value?: string }; entry: BundleEntry[] }).entry;
  const stored = options.store.storeMessage({
    messageId: envelope.messageId,
    orgNumber: envelope.senderOrganizationIdentifier,
    rapporteringFra: envelope.rapporteringFra,
    rapporteringTil: envelope.rapporteringTil,
    generatedAt: envelope.generatedAt,
    bundleIdentifier: (bundle as { identifier?: { value?: string } }).identifier?.value,
    contentSha256: createHash('sha256').update(opened.content).digest('hex'),
    resources: entries.map((entry) => ({
      fullUrl: entry.fullUrl,
      resourceType: entry.resource.resourceType,
      resourceId: entry.resource.id,
      body: JSON.stringify(entry.resource),
    })),
  });

  request.log.info({ messageId: envelope.messageId, org: envelope.senderOrganizationIdentifier, inserted: stored.inserted }, 'message received');
  const verb = stored.inserted ? 'stored' : 'already stored earlier; nothing new';
  return receipt(`Message ${envelope.messageId}: ${entries.length} resources ${verb}.`, stored.storedByType, entries, stored.inserted);
}

interface BundleEntry {
  fullUrl?: string;
  resource: { resourceType: string; id?: string };
}

async function validateOnly(options: ReceiverOptions, request: FastifyRequest, reply: FastifyReply): Promise<OperationOutcome> {
  const body = request.body;
  if (typeof body !== 'object' || body === null) {
    throw new ReceiverError('RECEIVER_BODY_INVALID', 'the body must be a LegemiddelregisterBundle JSON object');
  }

  const result = validateBundle(body, { ig: options.ig ?? DEFAULT_IG });
  reply.code(result.valid ? 200 : 400);
  return toOperationOutcome(result.issues) as OperationOutcome;
}

/** Ties the envelope's signing certificate to a registered, active sender and to the caller. */
function senderCertificate(sender: RegisteredSender | undefined, caller: VerifiedCaller): X509Certificate | undefined {
  if (!sender) return undefined;
  if (!sender.active) throw new ReceiverError('SENDER_INACTIVE', `sender ${sender.orgNumber} is not active at the register`);

  if (sender.clientId !== caller.clientId || (caller.orgNumber && caller.orgNumber !== sender.orgNumber)) {
    throw new ReceiverError(
      'SENDER_CLIENT_MISMATCH',
      `the HelseID client of this request is not registered for sender ${sender.orgNumber}`,
    );
  }
  return new X509Certificate(sender.certPem);
}

function answerError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof DpopAuthError) {
    request.log.warn({ code: error.code }, 'request refused: authentication');
    const issueCode = error.statusCode === 403 ? 'forbidden' : error.statusCode === 503 ? 'transient' : 'login';
    return reply
      .code(error.statusCode)
      .header('WWW-Authenticate', error.wwwAuthenticate)
      .send(failure(issueCode, error.code, error.message));
  }

  if (error instanceof ReceiverError && error.code === 'BUNDLE_INVALID') {
    return reply.code(400).send(toOperationOutcome(error.cause as Parameters<typeof toOperationOutcome>[0]));
  }

  if (error instanceof EnvelopeError || error instanceof ReceiverError || error instanceof FhirInputError || error instanceof StoreError) {
    request.log.warn({ code: error.code }, 'request refused');
    const issueCode = error.code.startsWith('SENDER') ? 'security' : 'invalid';
    return reply.code(400).send(failure(issueCode, error.code, error.message));
  }

  const status = (error as { statusCode?: number }).statusCode;
  if (status && status >= 400 && status < 500) {
    return reply.code(status).send(failure('invalid', 'REQUEST_INVALID', (error as Error).message));
  }

  request.log.error({ err: error }, 'unexpected failure');
  return reply.code(500).send(failure('exception', 'INTERNAL', 'the receiver failed unexpectedly; nothing was stored'));
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
