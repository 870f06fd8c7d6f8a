import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';

const CHUNK = 256 * 1024;
// Generous write buffers let the scanner decode the next piece while the last one is written.
const WRITE_BUFFER = 4 * 1024 * 1024;

/**
 * Holds the Base64 text of the ciphertext between reading the envelope and decrypting it (the key,
 * nonce and tag may come after it, and are needed first). Small contents stay in memory; past
 * `memoryLimit` bytes everything moves to a private temporary file in `folder`, so memory stays
 * bounded whatever the size. The text stays Base64 here: decoding it in the decryption pass puts
 * that work beside inflation, which runs on another thread, instead of before it.
 */
export class ContentStage extends Writable {
  private chunks: Buffer[] = [];
  private held = 0;
  private work: string | undefined;
  private file: WriteStream | undefined;

  constructor(
    private readonly folder: string,
    private readonly memoryLimit: number,
  ) {
    super({ highWaterMark: WRITE_BUFFER });
    // Errors reach the writer through its awaited writes and end(); this keeps them from also
    // surfacing as an uncaught 'error' event after a refusal has already been thrown.
    this.on('error', () => undefined);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.file) return this.toFile(chunk, callback);

    this.chunks.push(chunk);
    this.held += chunk.length;
    if (this.held <= this.memoryLimit) return callback();
    this.spill().then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.file) this.file.end(callback);
    else callback();
  }

  /** The staged text, from the start; may be read more than once. */
  readable(): Readable {
    if (!this.work) return Readable.from(this.chunks, { objectMode: false });
    return createReadStream(join(this.work, 'content.b64'), { highWaterMark: 4 * CHUNK });
  }

  async dispose(): Promise<void> {
    this.chunks = [];
    this.file?.destroy();
    if (this.work) await rm(this.work, { recursive: true, force: true });
  }

  private async spill(): Promise<void> {
    this.work = await mkdtemp(join(this.folder, '.lmdi-open-'));
    this.file = createWriteStream(join(this.work, 'content.b64'), { mode: 0o600, highWaterMark: WRITE_BUFFER });
    this.file.on('error', (error) => this.destroy(error));

    const held = this.chunks;
    this.chunks = [];
    for (const chunk of held) {
      if (!this.file.write(chunk)) await new Promise<void>((resolve) => this.file!.once('drain', () => resolve()));
    }
  }

  private toFile(chunk: Buffer, callback: (error?: Error | null) => void): void {
    if (this.file!.write(chunk)) callback();
    else this.file!.once('drain', () => callback());
  }
}
