import type { Command } from 'commander';
import type { JWK } from 'jose';

import { ENVIRONMENTS, LMR_SCOPE, deliver, withRetries, type EnvironmentName } from '../../client/index.js';
import { readEnvelope } from '../../envelope/index.js';
import { HelseIdClient, loadPrivateKey } from '../../helseid/index.js';
import { CliError } from '../cli-error.js';
import { parseJson, readInput } from '../input.js';
import type { CommandContext } from '../context.js';

interface SendOptions {
  env?: string;
  api?: string;
  issuer?: string;
  clientId: string;
  clientKey: string;
  scope: string;
  validateOnly?: boolean;
  json?: boolean;
  retries: number;
  retryDelay: number;
}

export function registerSendCommand(program: Command, context: CommandContext): void {
  program
    .command('send')
    .description("post a sealed SignertKryptertBundle to the register's API with a DPoP-bound HelseID token")
    .argument('<envelope>', 'SignertKryptertBundle JSON file (from `lmdi seal`)')
    .option('--env <name>', 'register environment: test or prod (sets --api and --issuer)')
    .option('--api <url>', 'API base URL, ending in /fhirmottak/v1')
    .option('--issuer <url>', 'HelseID issuer URL')
    .requiredOption('--client-id <id>', 'HelseID client id')
    .requiredOption('--client-key <file>', 'HelseID client private key: JWK, PEM or PKCS#12 file (password in $LMDI_KEY_PASSPHRASE)')
    .option('--scope <scope>', 'scope to request', LMR_SCOPE)
    .option('--json', "print the register's whole OperationOutcome as JSON")
    .option('--validate-only', 'post to validateLegemiddelregisterBundle: checked, not stored')
    .option('--retries <n>', 'resend after a failure in transit (no answer or 5xx), per the protocol', parseCount, 3)
    .option('--retry-delay <seconds>', 'wait between attempts', parseCount, 3600)
    .action(async (envelopeFile: string, options: SendOptions) => {
      const { output } = context;
      const target = resolveTarget(options);
      // Everything local is checked before the network: a wrong file must not wait out the retries.
      const envelopeJson = readInput(envelopeFile);
      readEnvelope(parseJson(envelopeJson, envelopeFile));
      const clientKey = readClientKey(options.clientKey);

      const helseId = new HelseIdClient({ issuer: target.issuer, clientId: options.clientId, clientKey, scope: options.scope });
      const endpoint = options.validateOnly ? '/validateLegemiddelregisterBundle' : '';
      const result = await withRetries(() => deliver(envelopeJson, target.api, helseId, endpoint), {
        retries: options.retries,
        delayMs: options.retryDelay * 1000,
        onRetry: (attempt, reason, delayMs) =>
          output.err(`attempt ${attempt} failed (${reason}); trying again in ${delayMs / 1000} s (--retries 0 to stop at the first failure)`),
      });

      if (options.json) {
        output.out(JSON.stringify({ httpStatus: result.httpStatus, accepted: result.accepted, outcome: result.outcome ?? null }, null, 2));
      } else {
        output.out(`HTTP ${result.httpStatus}: ${result.accepted ? 'accepted' : 'refused'}`);
        for (const line of outcomeSummary(result.outcome)) output.out(`  ${line}`);
      }
      if (!result.accepted) context.exitCode = 1;
    });
}

function resolveTarget(options: SendOptions): { api: string; issuer: string } {
  const environment = options.env !== undefined && Object.hasOwn(ENVIRONMENTS, options.env) ? ENVIRONMENTS[options.env as EnvironmentName] : undefined;
  if (options.env !== undefined && !environment) {
    throw new CliError('OPTION_INVALID', `--env must be test or prod, not ${options.env}`);
  }

  const api = options.api ?? environment?.apiBaseUrl;
  const issuer = options.issuer ?? environment?.issuer;
  if (!api || !issuer) throw new CliError('OPTION_INVALID', 'give --env test|prod, or both --api and --issuer');
  return { api: httpUrl(api, '--api'), issuer: httpUrl(issuer, '--issuer') };
}

function httpUrl(value: string, option: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new CliError('OPTION_INVALID', `${option} must be an http(s) URL, not ${JSON.stringify(value)}`);
  }
  return value;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliError('OPTION_INVALID', `expected a whole number, not ${value}`);
  return n;
}

/** The HelseID client key: a JWK, PEM or PKCS#12 file (passphrase or password in LMDI_KEY_PASSPHRASE). */
function readClientKey(file: string): JWK {
  const password = process.env.LMDI_KEY_PASSPHRASE;
  return loadPrivateKey(file, password ? { password } : {});
}

/**
 * The register's answer for a person: the summary, and every issue that is not a per-resource
 * "stored" receipt (those can number hundreds of thousands; --json prints them).
 */
function outcomeSummary(outcome: unknown): string[] {
  const issues = (outcome as { issue?: unknown } | undefined)?.issue;
  if (!Array.isArray(issues)) return [outcome === undefined ? '(the answer was not JSON)' : JSON.stringify(outcome)];

  const lines: string[] = [];
  let receipts = 0;
  for (const issue of issues as { severity?: string; diagnostics?: string; details?: { text?: string }; expression?: string[] }[]) {
    const isReceipt = issue.severity === 'information' && issue.expression !== undefined;
    if (isReceipt) {
      receipts++;
      continue;
    }
    const where = issue.expression?.length ? ` at ${issue.expression.join(', ')}` : '';
    const code = issue.severity === 'information' ? '' : ` [${issue.diagnostics ?? ''}]`;
    lines.push(`${issue.severity ?? 'issue'}${code}${where}: ${issue.details?.text ?? ''}`);
  }
  if (receipts > 0) lines.push(`(${receipts} per-resource receipts; --json prints them)`);
  return lines;
}
