import type { Command } from 'commander';

import { DEFAULT_IG, type IgVersion } from '../../fhir/index.js';
import { parseIgVersion } from '../input.js';
import type { CommandContext } from '../context.js';
import { printIssues } from '../output.js';

export function registerDemoCommand(program: Command, context: CommandContext): void {
  program
    .command('demo')
    .description('run the whole chain on this machine: certificates, HelseID stand-in, receiver, one delivery')
    .option('--input <file>', 'a LegemiddelregisterBundle JSON file (default: built-in nursing-home sample)')
    .option('--dir <folder>', 'work folder, reused on later runs', '.lmdi-demo')
    .option('--ig <version>', 'LMDI implementation guide version: 1.0.7 or 1.1', parseIgVersion, DEFAULT_IG)
    .option('--json', 'print the result as JSON')
    .action(async (options: { input?: string; dir: string; json?: boolean; ig: IgVersion }) => {
      const { output } = context;

      // Loaded on use: the demo starts the HelseID stand-in, which brings oidc-provider.
      const { DemoError, runDemo } = await import('../../demo/index.js');

      try {
        const result = await runDemo({
          dir: options.dir,
          ig: options.ig,
          ...(options.input === undefined ? {} : { input: options.input }),
          ...(options.json ? {} : { log: (line: string) => output.out(`  ${line}`) }),
        });

        if (options.json) {
          const { messageId, delivery, stored, ...rest } = result;
          output.out(JSON.stringify({ messageId, httpStatus: delivery.httpStatus, accepted: delivery.accepted, stored, ...rest, outcome: delivery.outcome }, null, 2));
        } else {
          output.out(summary(result.delivery.accepted, result.messageId, result.stored, result.messagesInStore));
        }
        if (!result.delivery.accepted) {
          output.err(`the register refused the delivery: ${JSON.stringify(result.delivery.outcome)}`);
          context.exitCode = 1;
        }
      } catch (error) {
        // A script that asked for JSON gets JSON on stdout, failures included.
        if (options.json) {
          const code = (error as { code?: unknown }).code;
          const issues = error instanceof DemoError ? error.issues : [];
          output.out(JSON.stringify({ error: { code: typeof code === 'string' ? code : 'ERROR', message: (error as Error).message, issues } }, null, 2));
        }
        if (error instanceof DemoError && error.issues.length > 0) {
          output.err(`error [${error.code}]: ${error.message}; nothing was sent`);
          printIssues(output, error.issues);
          context.exitCode = 1;
          return;
        }
        throw error;
      }
    });
}

function summary(accepted: boolean, messageId: string, stored: Record<string, number>, messages: number): string {
  const counts = Object.entries(stored)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, n]) => `${type} ${n}`)
    .join(', ');
  const total = Object.values(stored).reduce((sum, n) => sum + n, 0);
  if (!accepted) return `message ${messageId} REFUSED: nothing stored; ${messages} message(s) in the register`;
  return `message ${messageId} accepted and stored: ${total} resources (${counts}); ${messages} message(s) in the register`;
}
