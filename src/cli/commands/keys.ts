import { existsSync } from 'node:fs';

import type { Command } from 'commander';

import { ALLOWED_ALGORITHMS } from '../../helseid/constants.js';
import { generateSigningKey } from '../../helseid/keys.js';
import { writeSecretFile } from '../../io/index.js';
import { CliError } from '../cli-error.js';
import type { CommandContext } from '../context.js';

export function registerKeysCommand(program: Command, context: CommandContext): void {
  const keys = program.command('keys').description('HelseID client keys');

  keys
    .command('generate')
    .description('write a new private JWK (mode 0600) and print its public JWK, to register with HelseID')
    .requiredOption('--out <file>', 'where to write the private JWK')
    .option('--alg <alg>', `signing algorithm: ${ALLOWED_ALGORITHMS.join(', ')}`, 'PS256')
    .option('--force', 'replace an existing file')
    .action(async (options: { out: string; alg: string; force?: boolean }) => {
      if (!(ALLOWED_ALGORITHMS as readonly string[]).includes(options.alg)) {
        throw new CliError('OPTION_INVALID', `--alg ${options.alg} is not one of ${ALLOWED_ALGORITHMS.join(', ')}`);
      }
      // A client key may already be registered with HelseID; never lose it by accident.
      if (existsSync(options.out) && !options.force) {
        throw new CliError('OPTION_INVALID', `${options.out} exists; pass --force to replace it`);
      }

      const { privateJwk, publicJwk } = await generateSigningKey(options.alg);
      writeSecretFile(options.out, `${JSON.stringify(privateJwk, null, 2)}\n`);
      context.output.out(JSON.stringify(publicJwk, null, 2));
    });
}
