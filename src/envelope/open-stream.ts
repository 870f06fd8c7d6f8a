import { createDecipheriv, type X509Certificate } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open as openFileHandle, type FileHandle } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { dirname } from 'node:path';
import { Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

import { isLmdiError } from '../errors/index.js';
import { writeAtomically } from './atomic-output.js';
import { CiphertextStage } from './ciphertext-stage.js';
import { EnvelopeError } from './envelope-error.js';
import { scanEnvelope } from './envelope-scanner.js';
import { checkEnvelopeValues, decodeBase64, decodeNonce, decodeTag, type EnvelopeHeader } from './fields.js';
import { inflationBudget, type InflationLimits } from './limits.js';
import { senderCertificateFor, unwrapContentKey, type OpenParties } from './parties.js';

export interface OpenStreamOptions extends OpenParties, InflationLimits {
  /** Ciphertext up to this size is staged in memory, beyond it in a temporary file. Default 32 MiB. */
  memoryLimitBytes?: number;
}

export interface OpenStreamResult {
  /** Every field but the (streamed) content. */
  envelope: EnvelopeHeader;
  senderCertificate: X509Certificate;
  /** Size of the bundle JSON written. */
  contentBytes: number;
}

const CHUNK = 256 * 1024;
const DEFAULT_MEMORY_LIMIT = 32 * 1024 * 1024;

/**
 * Opens an envelope arriving as a stream into the file `output`, with bounded memory.
 *
 * One pass over the envelope decodes the ciphertext into a stage (memory, or a private temporary
 * file when large) while feeding the signature check (the key, nonce and tag may come after the
 * content, in any field order).
 * The signature is verified before anything is decrypted; then the ciphertext is decrypted,
 * inflated within bounds and checked for UTF-8, and `output` appears only after the tag verifies.
 *
 * Shortcoming: the content's JSON is checked for its shape (an object or array from first to last
 * character), not parsed as a whole; the bundle validator that reads it next parses it fully.
 */
export async function openStream(input: Readable, output: string, options: OpenStreamOptions): Promise<OpenStreamResult> {
  const stage = new CiphertextStage(dirname(output), options.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT);
  try {
    const { header, contentBytes: ciphertextBytes } = await scanEnvelope(input, stage);
    await new Promise<void>((resolve, reject) => stage.end((error?: Error | null) => (error ? reject(error) : resolve())));

    checkEnvelopeValues(header);
    const senderCertificate = senderCertificateFor(header, options);
    if (!stage.verifier.verify(senderCertificate.publicKey, decodeBase64(header, 'signature'))) {
      throw new EnvelopeError('ENVELOPE_SIGNATURE_INVALID', 'the signature over encryptedContent does not verify with the sender certificate');
    }

    const key = unwrapContentKey(header, options.registerCredentials);
    const decipher = createDecipheriv('aes-256-gcm', key, decodeNonce(header));
    decipher.setAuthTag(decodeTag(header));

    // As few stream stages as the bare decrypt-and-inflate: each extra one cost ~15% throughput.
    const budget = inflationBudget(ciphertextBytes, options, true);
    let contentBytes = 0;
    await writeAtomically(output, async (temporary) => {
      const writer = new CheckingFileWriter(await openFileHandle(temporary, 'wx', 0o600), budget);
      await pipeline(stage.readable(), new Decrypting(decipher), createGunzip({ chunkSize: CHUNK }), writer).catch((error: unknown) => {
        throw asEnvelopeError(error);
      });
      contentBytes = writer.bytes;
    });

    return { envelope: header, senderCertificate, contentBytes };
  } finally {
    await stage.dispose();
  }
}

/** Opens the envelope file `input` into the bundle file `output`. */
export function openFile(input: string, output: string, options: OpenStreamOptions): Promise<OpenStreamResult> {
  return openStream(createReadStream(input, { highWaterMark: 1024 * 1024 }), output, options);
}

/**
 * AES-256-GCM decryption; the tag is checked when the ciphertext ends. Also refuses plaintext that
 * does not start like gzip, before zlib gives a vaguer error.
 */
class Decrypting extends Transform {
  private started = false;

  constructor(private readonly decipher: ReturnType<typeof createDecipheriv>) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const plain = this.decipher.update(chunk);
    if (!this.started && plain.length > 0) {
      // GCM returns as many bytes as it is given: the first piece holds both magic bytes.
      if (plain.length < 2 || plain[0] !== 0x1f || plain[1] !== 0x8b) {
        return callback(new EnvelopeError('ENVELOPE_NOT_GZIP', 'the decrypted content is not gzip'));
      }
      this.started = true;
    }
    callback(null, plain);
  }

  override _flush(callback: TransformCallback): void {
    try {
      callback(null, this.decipher.final());
    } catch (cause) {
      callback(new EnvelopeError('ENVELOPE_TAG_INVALID', 'authenticationTag does not authenticate encryptedContent', { cause }));
    }
  }
}

/**
 * Writes the inflated content to its (temporary) file while bounding its size and checking that
 * it is UTF-8 and shaped like JSON (an object or array from first to last character).
 */
class CheckingFileWriter extends Writable {
  bytes = 0;
  private carry = Buffer.alloc(0);
  private first: number | undefined;
  private last: number | undefined;

  constructor(
    private readonly file: FileHandle,
    private readonly budget: ReturnType<typeof inflationBudget>,
  ) {
    super({ highWaterMark: CHUNK });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.bytes += chunk.length;
    if (this.bytes > this.budget.bytes) return callback(this.budget.error());

    const joined = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const whole = completeCharacters(joined);
    if (!isUtf8(joined.subarray(0, whole))) return callback(notUtf8());
    this.carry = Buffer.from(joined.subarray(whole));
    this.noteEnds(chunk);

    this.file.write(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.carry.length > 0) return callback(notUtf8());
    const shape = `${String.fromCharCode(this.first ?? 0)}${String.fromCharCode(this.last ?? 0)}`;
    if (shape !== '{}' && shape !== '[]') {
      return callback(new EnvelopeError('ENVELOPE_CONTENT_NOT_JSON', 'the decrypted content is not a JSON object'));
    }
    this.file.close().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.file.close().then(() => callback(error), () => callback(error));
  }

  private noteEnds(chunk: Buffer): void {
    let start = 0;
    // Skip a byte-order mark and whitespace before the first character.
    if (this.first === undefined) {
      if (this.bytes === chunk.length && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) start = 3;
      for (let i = start; i < chunk.length; i++) {
        if (!isJsonSpace(chunk[i]!)) {
          this.first = chunk[i];
          break;
        }
      }
    }
    for (let i = chunk.length - 1; i >= start; i--) {
      if (!isJsonSpace(chunk[i]!)) {
        this.last = chunk[i];
        break;
      }
    }
  }
}

function isJsonSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** How many leading bytes end on a character boundary (a UTF-8 sequence may straddle chunks). */
function completeCharacters(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

function notUtf8(): EnvelopeError {
  return new EnvelopeError('ENVELOPE_NOT_UTF8', 'the decrypted content is not UTF-8');
}

/** zlib's errors mean the plaintext is not (valid, complete) gzip. */
function asEnvelopeError(error: unknown): unknown {
  if (isLmdiError(error)) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code.startsWith('Z_') || code === 'ERR_ZLIB_INITIALIZATION_FAILED') {
    return new EnvelopeError('ENVELOPE_NOT_GZIP', 'the decrypted content is not valid gzip', { cause: error });
  }
  return error;
}
