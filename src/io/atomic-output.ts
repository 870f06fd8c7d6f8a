import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Runs `write` against a temporary path beside `path`, then renames it into place, so a reader
 * sees the old file or the whole new one, never a half-written or unverified one. On failure the
 * temporary file is removed.
 */
export async function writeAtomically<T>(path: string, write: (temporaryPath: string) => Promise<T>): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryPathBeside(path, 'tmp');
  try {
    const result = await write(temporary);
    await rename(temporary, path);
    return result;
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** A fresh hidden file name in the same folder (same file system, so a rename is atomic). */
export function temporaryPathBeside(path: string, suffix: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.${suffix}`);
}
