// Reading what the user named: files, JSON and option values, with errors that name them.
import { readFileSync } from 'node:fs';

import { IG_VERSIONS, type IgVersion } from '../fhir/index.js';
import { CliError } from './cli-error.js';

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

/** Parses JSON input; the envelope module reports a non-object, so only syntax fails here. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (cause) {
    // Node's message quotes the start of the text, which may be personal data: give the place only.
    throw new CliError('INPUT_NOT_JSON', `${source} is not JSON`, { cause });
  }
}

/** --ig: 1.0.7 or 1.1; a full 1.1.x version names 1.1. */
export function parseIgVersion(value: string): IgVersion {
  const version = /^1\.1(\.\d+)?$/.test(value) ? '1.1' : value;
  if (!(IG_VERSIONS as readonly string[]).includes(version)) {
    throw new CliError('OPTION_INVALID', `--ig must be ${IG_VERSIONS.join(' or ')}, not "${value}"`);
  }
  return version as IgVersion;
}
