import { main } from '../../src/cli/main.js';

/** What one in-process run of the CLI printed, and its exit code. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `lmdi …args` in this process, capturing stdout and stderr lines. */
export async function lmdi(...args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'lmdi', ...args], { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
