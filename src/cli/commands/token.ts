import type { Command } from 'commander';

import { ENVIRONMENTS, type EnvironmentName } from '../../client/environments.js';
import { HelseIdClient } from '../../helseid/client.js';
import { DEFAULT_SCOPE } from '../../helseid/constants.js';
import { loadPrivateKey } from '../../helseid/keys.js';
import { CliError } from '../cli-error.js';
import type { CommandContext } from '../context.js';

interface TokenOptions {
  issuer?: string;
  env?: string;
  clientId: string;
  clientKey: string;
  kid?: string;
  alg?: string;
  dpopKey?: string;
  dpopAlg?: string;
  scope: string;
  clockSkew?: number;
  json?: boolean;
}

export function registerTokenCommand(program: Command, context: CommandContext): void {
  program
    .command('token')
    .description('get a DPoP-bound HelseID access token (client credentials, private_key_jwt) and print it')
    .option('--issuer <url>', 'HelseID issuer URL')
    .option('--env <env>', 'preset issuer: test or prod')
    .requiredOption('--client-id <id>', 'HelseID client id')
    .requiredOption('--client-key <file>', 'private key: JWK, PEM or PKCS#12 (password/passphrase in LMDI_KEY_PASSPHRASE)')
    .option('--kid <kid>', 'key id to announce for a PEM or PKCS#12 key')
    .option('--alg <alg>', 'client assertion algorithm (default PS256 for RSA, ES* by curve for EC)')
    .option('--dpop-key <file>', 'DPoP key file, or "same" for the client key (default: a throwaway key)')
    .option('--dpop-alg <alg>', 'DPoP proof algorithm')
    .option('--scope <scope>', 'scope to ask for', DEFAULT_SCOPE)
    .option('--clock-skew <seconds>', "seconds the issuer's clock is ahead of ours", parseSeconds)
    .option('--json', 'print {access_token, token_type, expires_in, scope}')
    .action(async (options: TokenOptions) => {
      const issuer = chooseIssuer(options);
      const password = process.env.LMDI_KEY_PASSPHRASE;
      const clientKey = loadPrivateKey(options.clientKey, { ...(password ? { password } : {}), ...(options.kid ? { kid: options.kid } : {}) });
      const dpopKey = options.dpopKey === 'same'
        ? clientKey
        : options.dpopKey
          ? loadPrivateKey(options.dpopKey, password ? { password } : {})
          : undefined;

      const client = new HelseIdClient({
        issuer,
        clientId: options.clientId,
        clientKey,
        scope: options.scope,
        ...(options.alg ? { algorithm: options.alg } : {}),
        ...(dpopKey ? { dpopKey } : {}),
        ...(options.dpopAlg ? { dpopAlgorithm: options.dpopAlg } : {}),
        ...(options.clockSkew !== undefined ? { clockSkewSeconds: options.clockSkew } : {}),
      });

      const token = await client.getTokenResponse();
      if (!dpopKey) context.output.err('note: the token is bound to a throwaway DPoP key; pass --dpop-key to use it elsewhere');
      context.output.out(options.json ? JSON.stringify(token) : token.access_token);
    });
}

/** The issuer named by --issuer, or the preset of --env (test, prod). */
export function chooseIssuer(options: { issuer?: string; env?: string }): string {
  if ((options.issuer === undefined) === (options.env === undefined)) {
    throw new CliError('OPTION_INVALID', 'give exactly one of --issuer URL or --env test|prod');
  }
  if (options.issuer !== undefined) {
    if (!URL.canParse(options.issuer)) throw new CliError('OPTION_INVALID', `--issuer ${options.issuer} is not a URL`);
    return options.issuer;
  }

  if (!Object.hasOwn(ENVIRONMENTS, options.env as string)) {
    throw new CliError('OPTION_INVALID', `--env ${options.env} is not one of ${Object.keys(ENVIRONMENTS).join(', ')}`);
  }
  return ENVIRONMENTS[options.env as EnvironmentName].issuer;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds)) throw new CliError('OPTION_INVALID', `not a whole number of seconds: ${value}`);
  return seconds;
}
