import type { Command } from 'commander';

import { IG_VERSIONS, parseBundleJson, toOperationOutcome, validateBundle, type IgVersion } from '../../fhir/index.js';
import { parseIgVersion, readInput } from '../input.js';
import type { CommandContext } from '../context.js';
import { countText, printIssues } from '../output.js';

export function registerValidateCommand(program: Command, context: CommandContext): void {
  program
    .command('validate')
    .description('check a LegemiddelregisterBundle JSON file against the LMDI rules (exit 0 valid, 1 errors, 2 usage or unreadable file)')
    .argument('<file>', 'bundle JSON file')
    .option('--ig <version>', `LMDI implementation guide version: ${IG_VERSIONS.join(' or ')}`, parseIgVersion, '1.0.7' as IgVersion)
    .option('--json', 'print the findings as a FHIR OperationOutcome (one issue per finding)')
    .action((file: string, options: { json?: boolean; ig: IgVersion }) => {
      const { output } = context;

      const bundle = parseBundleJson(readInput(file), file);
      const result = validateBundle(bundle, { ig: options.ig });

      if (options.json) {
        output.out(JSON.stringify(toOperationOutcome(result.issues), null, 2));
      } else {
        const entries = countEntries(bundle);
        const affected = new Set(result.issues.map((i) => /^Bundle\.entry\[\d+\]/.exec(i.location)?.[0] ?? 'Bundle')).size;
        output.out(`${file}: ${result.valid ? 'valid' : 'INVALID'} under LMDI ${options.ig} (${countText(result.issues)}; ${entries} entries, ${affected} with findings)`);
        printIssues(output, result.issues);
      }
      if (!result.valid) context.exitCode = 1;
    });
}


function countEntries(bundle: unknown): number {
  const entry = (bundle as { entry?: unknown } | null)?.entry;
  return Array.isArray(entry) ? entry.length : 0;
}
