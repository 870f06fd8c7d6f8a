import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { checkPair, orgNumberOf, readCertificate, readPrivateKey, thumbprint, type Credential } from '../certs/index.js';
import { DEFAULT_IG, IG_VERSIONS, isValidOrgNumber, type IgVersion } from '../fhir/index.js';
import type { RegisteredSender } from '../store/index.js';
import { CliError } from './cli-error.js';

/** The receiver's settings, checked: `lmdi serve` refuses to start on a configuration that would
 * make it refuse good deliveries (a key that is not the certificate's, a sender whose certificate
 * names another organisation), since senders take a 400 as a verdict on their data. */
export interface ServeSettings {
  databasePath: string;
  issuer: string;
  host: string;
  port: number;
  externalBaseUrl?: string;
  ig: IgVersion;
  maxBundleBytes?: number;
  registerCredentials: Credential[];
  senders: RegisteredSender[];
}

const KNOWN_KEYS = new Set(['database', 'issuer', 'host', 'port', 'externalBaseUrl', 'ig', 'maxBundleBytes', 'registerCredentials', 'senders']);

/** Reads `lmdi serve --config FILE`; paths in the file are relative to the file. */
export function loadServeSettings(file: string): ServeSettings {
  const config = readObject(file);
  const fail = (problem: string): never => {
    throw new CliError('CONFIG_INVALID', `${file}: ${problem}`);
  };
  const at = (path: unknown, what: string): string => {
    if (typeof path !== 'string' || path === '') return fail(`${what} must be a file path`);
    return resolve(dirname(resolve(file)), path);
  };

  const unknown = Object.keys(config).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) fail(`unknown setting ${unknown.join(', ')} (known: ${[...KNOWN_KEYS].join(', ')})`);
  const missing = ['database', 'issuer', 'registerCredentials', 'senders'].filter((key) => config[key] === undefined);
  if (missing.length > 0) fail(`missing ${missing.join(', ')}`);

  if (!isHttpUrl(config.issuer)) fail('issuer must be an http(s) URL');
  if (config.externalBaseUrl !== undefined && !isHttpUrl(config.externalBaseUrl)) fail('externalBaseUrl must be an http(s) URL');
  if (config.port !== undefined && !isPort(config.port)) fail('port must be a whole number from 0 to 65535');
  if (config.host !== undefined && typeof config.host !== 'string') fail('host must be a string');
  if (config.maxBundleBytes !== undefined && !(Number.isInteger(config.maxBundleBytes) && (config.maxBundleBytes as number) > 0)) {
    fail('maxBundleBytes must be a positive whole number of bytes');
  }
  if (config.ig !== undefined && !(IG_VERSIONS as readonly unknown[]).includes(config.ig)) fail(`ig must be ${IG_VERSIONS.join(' or ')}`);

  const pairs = config.registerCredentials;
  if (!Array.isArray(pairs) || pairs.length === 0) fail('registerCredentials must list at least one {certificate, key}');
  const registerCredentials = (pairs as Record<string, unknown>[]).map((pair, i) => {
    const credential = {
      certificate: readCertificate(at(pair?.certificate, `registerCredentials[${i}].certificate`)),
      privateKey: readPrivateKey(at(pair?.key, `registerCredentials[${i}].key`), process.env.LMDI_KEY_PASSPHRASE),
    };
    checkPair(credential, `registerCredentials[${i}]`);
    return credential;
  });

  if (!Array.isArray(config.senders)) fail('senders must be an array');
  const senders = (config.senders as Record<string, unknown>[]).map((entry, i) => readSender(entry, `senders[${i}]`, at, fail));
  const seen = new Set<string>();
  for (const sender of senders) {
    if (seen.has(sender.certThumbprint)) fail(`the certificate ${sender.certThumbprint} is listed for more than one sender`);
    seen.add(sender.certThumbprint);
  }

  return {
    databasePath: at(config.database, 'database'),
    issuer: config.issuer as string,
    host: (config.host as string | undefined) ?? '127.0.0.1',
    port: (config.port as number | undefined) ?? 0,
    ...(config.externalBaseUrl === undefined ? {} : { externalBaseUrl: config.externalBaseUrl as string }),
    ig: (config.ig as IgVersion | undefined) ?? DEFAULT_IG,
    ...(config.maxBundleBytes === undefined ? {} : { maxBundleBytes: config.maxBundleBytes as number }),
    registerCredentials,
    senders,
  };
}

function readSender(
  entry: Record<string, unknown>,
  where: string,
  at: (path: unknown, what: string) => string,
  fail: (problem: string) => never,
): RegisteredSender {
  if (typeof entry !== 'object' || entry === null) fail(`${where} must be an object`);
  const { orgNumber, clientId, active } = entry;
  if (typeof orgNumber !== 'string' || !isValidOrgNumber(orgNumber)) fail(`${where}.orgNumber must be a valid 9-digit organisation number`);
  if (typeof clientId !== 'string' || clientId === '') fail(`${where}.clientId must be the sender's HelseID client id`);
  if (active !== undefined && typeof active !== 'boolean') fail(`${where}.active must be true or false`);

  const certificate = readCertificate(at(entry.certificate, `${where}.certificate`));
  const inCertificate = orgNumberOf(certificate);
  if (inCertificate !== orgNumber) fail(`${where}: the certificate belongs to organisation ${inCertificate}, not ${String(orgNumber)}`);

  return {
    orgNumber: orgNumber as string,
    clientId: clientId as string,
    certThumbprint: thumbprint(certificate),
    certPem: certificate.toString(),
    active: (active as boolean | undefined) ?? true,
  };
}

function readObject(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CliError('CONFIG_INVALID', `cannot read ${file} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { cause });
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new CliError('CONFIG_INVALID', `${file} is not JSON`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError('CONFIG_INVALID', `${file} must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

function isHttpUrl(value: unknown): boolean {
  return typeof value === 'string' && URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
}

function isPort(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 65535;
}
