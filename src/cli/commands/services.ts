import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import type { Command } from 'commander';

import { readCertificate, readPrivateKey, thumbprint } from '../../certs/index.js';
import { startReceiver } from '../../server/index.js';
import { SqliteStore } from '../../store/index.js';
import { CliError } from '../cli-error.js';
import type { CommandContext } from '../context.js';

/** `lmdi serve --config FILE`: paths in the file are relative to the file. */
interface ServeConfig {
  database: string;
  issuer: string;
  host?: string;
  port?: number;
  externalBaseUrl?: string;
  registerCredentials: { certificate: string; key: string }[];
  senders: { orgNumber: string; clientId: string; certificate: string; active?: boolean }[];
}

export function registerServiceCommands(program: Command, context: CommandContext): void {
  program
    .command('serve')
    .description("run the register's receiver (FHIR-mottak) until stopped")
    .requiredOption('--config <file>', 'receiver configuration JSON (database, issuer, register keys, senders)')
    .option('--port <port>', 'override the port', parsePort)
    .action(async (options: { config: string; port?: number }) => {
      const config = readServeConfig(options.config);
      const base = dirname(resolve(options.config));
      const at = (path: string) => resolve(base, path);

      const store = new SqliteStore(at(config.database));
      for (const sender of config.senders) {
        const certificate = readCertificate(at(sender.certificate));
        store.upsertSender({ orgNumber: sender.orgNumber, clientId: sender.clientId, certThumbprint: thumbprint(certificate), certPem: certificate.toString(), active: sender.active ?? true });
      }

      const receiver = await startReceiver({
        store,
        issuer: config.issuer,
        registerCredentials: config.registerCredentials.map((pair) => ({ certificate: readCertificate(at(pair.certificate)), privateKey: readPrivateKey(at(pair.key), process.env.LMDI_KEY_PASSPHRASE) })),
        host: config.host ?? '127.0.0.1',
        port: options.port ?? config.port ?? 0,
        ...(config.externalBaseUrl ? { externalBaseUrl: config.externalBaseUrl } : {}),
        logLevel: 'info',
      });
      context.output.out(`receiver listening at ${receiver.url} (${config.senders.length} senders registered)`);

      await untilStopped();
      await receiver.close();
      store.close();
    });

  program
    .command('authority')
    .description('run the local HelseID stand-in until stopped')
    .requiredOption('--clients <file>', 'JSON {"clients": [{"clientId", "orgNumber", "publicJwks": {"keys": [...]}}]}')
    .option('--port <port>', 'port to listen on (default: a free one)', parsePort)
    .action(async (options: { clients: string; port?: number }) => {
      const { authorityClientsFromFile, startAuthority } = await import('../../authority/index.js');
      const clients = await authorityClientsFromFile(options.clients).catch((cause: unknown) => {
        throw new CliError('CONFIG_INVALID', `${options.clients}: ${(cause as Error).message}`, { cause });
      });
      const authority = await startAuthority({ clients, ...(options.port === undefined ? {} : { port: options.port }) });
      context.output.out(`HelseID stand-in at ${authority.issuer} (${clients.length} clients)`);

      await untilStopped();
      await authority.close();
    });
}

function readServeConfig(file: string): ServeConfig {
  let parsed: Partial<ServeConfig>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<ServeConfig>;
  } catch (cause) {
    throw new CliError('CONFIG_INVALID', `${file}: cannot read it as JSON (${(cause as Error).message})`, { cause });
  }

  const missing = (['database', 'issuer', 'registerCredentials', 'senders'] as const).filter((key) => parsed[key] === undefined);
  if (missing.length > 0) throw new CliError('CONFIG_INVALID', `${file}: missing ${missing.join(', ')}`);
  if (!Array.isArray(parsed.registerCredentials) || parsed.registerCredentials.length === 0) {
    throw new CliError('CONFIG_INVALID', `${file}: registerCredentials must list at least one {certificate, key}`);
  }
  if (!Array.isArray(parsed.senders)) throw new CliError('CONFIG_INVALID', `${file}: senders must be an array`);
  return parsed as ServeConfig;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError('OPTION_INVALID', `not a port number: ${value}`);
  return port;
}

function untilStopped(): Promise<void> {
  return new Promise((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
