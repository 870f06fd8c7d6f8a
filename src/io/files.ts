import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { temporaryPathBeside } from './atomic-output.js';

export interface WriteOptions {
  /** File mode; private keys use 0o600. */
  mode?: number;
}

/**
 * Writes a file atomically: a temporary file beside it, then a rename, so a reader sees the old
 * file or the new one and never a half-written one.
 */
export function writeFileAtomic(path: string, data: string | Buffer, options: WriteOptions = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = temporaryPathBeside(path, 'tmp');

  try {
    writeFileSync(temporary, data, { mode: options.mode ?? 0o644, flag: 'wx' });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Writes a secret (private key, JWK, PKCS#12) readable by its owner only. */
export function writeSecretFile(path: string, data: string | Buffer): void {
  writeFileAtomic(path, data, { mode: 0o600 });
}
