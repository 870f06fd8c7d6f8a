import { readFileSync } from 'node:fs';

import { Command, CommanderError } from 'commander';

import { isLmdiError } from '../errors/index.js';
import { consoleOutput, describeError, type Output } from './output.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerValidateCommand } from './commands/validate.js';
import { registerEnvelopeCommands } from './commands/envelope.js';
import { registerSendCommand } from './commands/send.js';
import { registerServiceCommands } from './commands/services.js';
import { registerCertsCommands } from './commands/certs.js';
import { registerKeysCommand } from './commands/keys.js';
import { registerTokenCommand } from './commands/token.js';

/** Exit codes: 0 done, 1 refused (invalid input, failed check, refused delivery), 2 usage error. */
export const EXIT = { ok: 0, refused: 1, usage: 2 } as const;

/** Errors in how the command was called or in reading its files, rather than in their content. */
const USAGE_CODES = [
  'OPTION_INVALID',
  'INPUT_UNREADABLE',
  'CONFIG_INVALID',
  'CERT_UNREADABLE',
  'KEY_UNREADABLE',
  'PKCS12_UNREADABLE',
  'KEY_CERT_MISMATCH',
  'PKCS12_PASSWORD_MISSING',
  'HELSEID_KEY_INVALID',
  'AUTHORITY_CONFIG_INVALID',
  'AUTHORITY_JWK_INVALID',
  'WORKSPACE_DAMAGED',
  'WORKSPACE_UNWRITABLE',
];

/** Errors of the file system, the network or SQLite while reading or writing what was named. */
function isEnvironmentError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (/^E[A-Z]+$/.test(code) || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_NOTADB' || code.startsWith('ERR_SOCKET'));
}

/** Runs the CLI and returns its exit code; commands that keep running resolve when stopped. */
export async function main(argv: string[], output: Output = consoleOutput): Promise<number> {
  const program = new Command('lmdi')
    .description('Sender and receiver for the LMDI feed to the Norwegian medication register')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (text) => output.out(text.trimEnd()), writeErr: (text) => output.err(text.trimEnd()) })
    .showHelpAfterError('(run with --help for usage)');

  const context = { output, exitCode: EXIT.ok as number };
  registerDemoCommand(program, context);
  registerValidateCommand(program, context);
  registerEnvelopeCommands(program, context);
  registerSendCommand(program, context);
  registerServiceCommands(program, context);
  registerCertsCommands(program, context);
  registerKeysCommand(program, context);
  registerTokenCommand(program, context);

  try {
    await program.parseAsync(argv);
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    output.err(describeError(error));
    return isLmdiError(error, ...USAGE_CODES) || isEnvironmentError(error) ? EXIT.usage : EXIT.refused;
  }
}



function packageVersion(): string {
  const manifest = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}
