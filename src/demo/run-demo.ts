import { readFileSync } from 'node:fs';

import { deliver, type DeliveryResult } from '../client/index.js';
import { seal, serializeEnvelope } from '../envelope/index.js';
import { DEFAULT_IG, parseBundleJson, sampleBundle, validateBundle, type IgVersion } from '../fhir/index.js';
import { startAuthority } from '../authority/index.js';
import { HelseIdClient } from '../helseid/index.js';
import { startReceiver } from '../server/index.js';
import { SqliteStore } from '../store/index.js';
import { DemoError } from './demo-error.js';
import { openWorkspace, registeredSender, type DemoWorkspace } from './workspace.js';

export interface DemoOptions {
  /** Work folder; default `./.lmdi-demo`. */
  dir?: string;
  /** A LegemiddelregisterBundle JSON file; default the built-in nursing-home sample. */
  input?: string;
  /** LMDI implementation guide to validate against, by the sender and the register; default 1.0.7. */
  ig?: IgVersion;
  /** Progress lines for a person; silent when omitted. */
  log?: (line: string) => void;
  now?: Date;
}

export interface DemoResult {
  workDir: string;
  messageId: string;
  senderOrgNumber: string;
  rapporteringFra: string;
  rapporteringTil: string;
  envelopeBytes: number;
  delivery: DeliveryResult;
  /** Resources the register holds for this message, by type. */
  stored: Record<string, number>;
  /** Messages in the register's store after this run. */
  messagesInStore: number;
}

/**
 * Runs the whole chain on this machine: throwaway certificates, a local HelseID, the register's
 * receiver on SQLite, then one sender delivery of a validated, sealed bundle over real HTTP.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const log = options.log ?? (() => undefined);
  const now = options.now ?? new Date();

  // The input first: a missing or broken file should not leave a work folder behind.
  const input = loadInput(options.input, now);
  const ig = options.ig ?? DEFAULT_IG;
  const validation = validateBundle(input.bundle, { ig });
  if (!validation.valid) {
    throw new DemoError('BUNDLE_INVALID', `${input.source} does not conform to LMDI ${ig}`, validation.issues);
  }

  const workspace = await openWorkspace(options.dir ?? '.lmdi-demo');
  log(`${workspace.created ? 'created' : 'reusing'} work folder ${workspace.dir}`);
  log(`sender: organisation ${workspace.senderOrgNumber}, HelseID client ${workspace.clientId}`);
  log(`input: ${input.source} (${input.entryCount} entries)`);
  const warnings = validation.issues.length;
  log(`validated against LMDI ${ig}: no errors, ${warnings} warning${warnings === 1 ? '' : 's'}`);

  // Whatever fails from here on, everything started so far is stopped, so the process can exit.
  const running: (() => Promise<void> | void)[] = [];
  try {
    const authority = await startAuthority({
      clients: [{ clientId: workspace.clientId, publicJwks: { keys: [workspace.clientPublicJwk] }, orgNumber: workspace.senderOrgNumber }],
    });
    running.push(() => authority.close());
    const store = new SqliteStore(workspace.databasePath);
    running.push(() => store.close());
    store.upsertSender(registeredSender(workspace));
    const receiver = await startReceiver({ store, registerCredentials: [workspace.register], issuer: authority.issuer, ig });
    running.push(() => receiver.close());
    log(`HelseID stand-in at ${authority.issuer}; register receiver at ${receiver.url}`);

    return await deliverOnce({ workspace, input, now, log, authorityIssuer: authority.issuer, receiverUrl: receiver.url, store });
  } finally {
    for (const stop of running.reverse()) await stop();
  }
}

interface DeliveryContext {
  workspace: DemoWorkspace;
  input: LoadedInput;
  now: Date;
  log: (line: string) => void;
  authorityIssuer: string;
  receiverUrl: string;
  store: SqliteStore;
}

async function deliverOnce({ workspace, input, now, log, authorityIssuer, receiverUrl, store }: DeliveryContext): Promise<DemoResult> {
  const period = reportingPeriod(now);
  const envelope = seal({
    content: input.bytes,
    senderCertificate: workspace.sender.certificate,
    senderKey: workspace.sender.privateKey,
    registerCertificate: workspace.register.certificate,
    rapporteringFra: period.from,
    rapporteringTil: period.to,
    now,
  });
  const envelopeJson = serializeEnvelope(envelope);
  log(`sealed: message ${envelope.messageId}, ${envelopeJson.length} bytes`);

  const helseId = new HelseIdClient({ issuer: authorityIssuer, clientId: workspace.clientId, clientKey: workspace.clientKey });
  const delivery = await deliver(envelopeJson, receiverUrl, helseId);
  log(`delivered: HTTP ${delivery.httpStatus}${delivery.accepted ? ' (accepted)' : ' (refused)'}`);

  return {
    workDir: workspace.dir,
    messageId: envelope.messageId,
    senderOrgNumber: workspace.senderOrgNumber,
    rapporteringFra: period.from,
    rapporteringTil: period.to,
    envelopeBytes: envelopeJson.length,
    delivery,
    stored: store.countResourcesByType(envelope.messageId),
    messagesInStore: store.countMessages(),
  };
}

interface LoadedInput {
  source: string;
  bytes: Buffer;
  bundle: unknown;
  entryCount: number;
}

function loadInput(path: string | undefined, now: Date): LoadedInput {
  if (path === undefined) {
    const bundle = sampleBundle(now);
    return { source: 'built-in nursing-home sample', bytes: Buffer.from(JSON.stringify(bundle)), bundle, entryCount: entryCount(bundle) };
  }

  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new DemoError('INPUT_UNREADABLE', `cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, [], { cause });
  }

  // The file's own bytes are sealed, as a sender would: no re-serialization.
  const bundle = parseBundleJson(bytes.toString('utf8'), path);
  return { source: path, bytes, bundle, entryCount: entryCount(bundle) };
}

function entryCount(bundle: unknown): number {
  const entry = (bundle as { entry?: unknown } | null)?.entry;
  return Array.isArray(entry) ? entry.length : 0;
}

/** The daily period: yesterday from midnight to midnight (UTC, with an explicit offset). */
function reportingPeriod(now: Date): { from: string; to: string } {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const from = new Date(to.getTime() - 24 * 3600 * 1000);
  return { from: from.toISOString(), to: to.toISOString() };
}
