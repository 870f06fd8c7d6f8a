import { readFileSync } from 'node:fs';

import type { Command } from 'commander';

import { parseBundleJson, toOperationOutcome, validateBundle } from '../../fhir/index.js';
import { CliError } from '../cli-error.js';
import type { CommandContext } from '../context.js';
import { printIssues } from '../output.js';

export function registerValidateCommand(program: Command, context: CommandContext): void {
  program
    .command('validate')
    .description('check a LegemiddelregisterBundle JSON file against the LMDI rules (exit 1 when it has errors)')
    .argument('<file>', 'bundle JSON file')
    .option('--json', 'print the findings as a FHIR OperationOutcome')
    .action((file: string, options: { json?: boolean }) => {
      const { output } = context;

      const bundle = parseBundleJson(readInput(file), file);
      const result = validateBundle(bundle);

      if (options.json) {
        output.out(JSON.stringify(toOperationOutcome(result.issues), null, 2));
      } else {
        const errors = result.issues.filter((issue) => issue.severity === 'error').length;
        output.out(`${file}: ${result.valid ? 'valid' : 'INVALID'} (${errors} errors, ${result.issues.length - errors} other findings)`);
        printIssues(output, result.issues);
      }
      if (!result.valid) context.exitCode = 1;
    });
}

/** Reads a text file, naming the file in the error. */
export function readInput(file: string): string {
  return readInputBytes(file).toString('utf8');
}

export function readInputBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CliError('INPUT_UNREADABLE', `cannot read ${file} (${code})`, { cause });
  }
}
