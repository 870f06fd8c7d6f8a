import type { Command } from 'commander';

import { startReceiver } from '../../server/index.js';
import { SqliteStore } from '../../store/index.js';
import { CliError } from '../cli-error.js';
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
        ...(settings.externalBaseUrl ? { externalBaseUrl: settings.externalBaseUrl } : {}),
        logLevel: 'info',
      }).catch((error: unknown) => {
        store.close();
        throw error;
      });
      const active = settings.senders.filter((sender) => sender.active).length;
      context.output.out(`receiver listening at ${receiver.url} (${active} active senders)`);

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
