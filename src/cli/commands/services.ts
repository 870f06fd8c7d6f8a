import type { Command } from 'commander';

import { startReceiver } from '../../server/index.js';
import { SqliteStore } from '../../store/index.js';
import { CliError } from '../cli-error.js';
import { parseJson, readInput } from '../input.js';
import type { CommandContext } from '../context.js';
import { loadServeSettings } from '../serve-config.js';

export function registerServiceCommands(program: Command, context: CommandContext): void {
  program
    .command('serve')
    .description("run the register's receiver (FHIR-mottak) until stopped")
    .requiredOption('--config <file>', 'receiver configuration JSON (database, issuer, register keys, senders)')
    .option('--port <port>', 'override the port', parsePort)
    .action(async (options: { config: string; port?: number }) => {
      const settings = loadServeSettings(options.config);
      const store = openStore(settings.databasePath);
      try {
        store.replaceSenders(settings.senders);
      } catch (error) {
        store.close();
        throw error;
      }

      const receiver = await startReceiver({
        store,
        issuer: settings.issuer,
        registerCredentials: settings.registerCredentials,
        host: settings.host,
        port: options.port ?? settings.port,
        ig: settings.ig,
        ...(settings.maxBundleBytes === undefined ? {} : { maxBundleBytes: settings.maxBundleBytes }),
        ...(settings.externalBaseUrl ? { externalBaseUrl: settings.externalBaseUrl } : {}),
        logLevel: 'info',
      }).catch((error: unknown) => {
        store.close();
        throw error;
      });
      const active = settings.senders.filter((sender) => sender.active).length;
      context.output.out(`receiver listening at ${receiver.url} (${active} active senders, LMDI ${settings.ig})`);

      await untilStopped();
      await receiver.close();
      store.close();
    });

  const authority = program
    .command('authority')
    .description('run the local HelseID stand-in until stopped (or manage its clients file)')
    .option('--clients <file>', 'JSON {"clients": [{"clientId", "orgNumber", "publicJwks": {"keys": [...]}}]}')
    .option('--port <port>', 'port to listen on (default: a free one)', parsePort)
    .action(async (options: { clients?: string; port?: number }) => {
      // Not a commander requiredOption: that would also be demanded by `authority clients add`.
      if (!options.clients) throw new CliError('OPTION_INVALID', "required option '--clients <file>' not specified");
      const clientsFile = options.clients;
      const { authorityClientsFromFile, startAuthority } = await import('../../authority/index.js');
      const clients = await authorityClientsFromFile(clientsFile).catch((cause: unknown) => {
        throw new CliError('CONFIG_INVALID', (cause as Error).message, { cause });
      });
      const running = await startAuthority({ clients, ...(options.port === undefined ? {} : { port: options.port }) });
      context.output.out(`HelseID stand-in at ${running.issuer} (${clients.length} clients)`);

      await untilStopped();
      await running.close();
    });

  authority
    .command('clients')
    .description("the stand-in's clients file")
    .command('add')
    .description('register a client (or another key of it) in the clients file, written atomically')
    .requiredOption('--file <file>', 'the clients file (created when missing)')
    .requiredOption('--client-id <id>', 'HelseID client id')
    .requiredOption('--org <orgnr>', "the client's organisation number")
    .requiredOption('--jwk <file>', 'the public JWK (as printed by `lmdi keys generate`)')
    .action(async (options: { file: string; clientId: string; org: string; jwk: string }) => {
      // The file helpers only, so that oidc-provider is not loaded for this.
      const { addAuthorityClient } = await import('../../authority/clients-file.js');
      const publicJwk = readJsonFile(options.jwk);
      const result = await addAuthorityClient(options.file, { clientId: options.clientId, orgNumber: options.org, publicJwk });

      const what = result.created ? 'added client' : result.keyAdded ? 'added a key to client' : 'key already registered for client';
      context.output.out(`${what} ${options.clientId} (organisation ${options.org}) in ${options.file}`);
    });
}

function readJsonFile(file: string): unknown {
  return parseJson(readInput(file), file);
}

function openStore(path: string): SqliteStore {
  try {
    return new SqliteStore(path);
  } catch (cause) {
    const code = (cause as { code?: string }).code ?? 'error';
    throw new CliError('CONFIG_INVALID', `cannot open the database ${path} (${code})`, { cause });
  }
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
