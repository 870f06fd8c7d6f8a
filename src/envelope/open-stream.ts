import { createDecipheriv, createVerify, type X509Certificate } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open as openFileHandle, type FileHandle } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { dirname } from 'node:path';
import { Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

import { isLmdiError } from '../errors/index.js';
import { writeAtomically } from '../io/index.js';
import { Base64Decoder } from './base64-stream.js';
import { ContentStage } from './content-stage.js';
import { EnvelopeError } from './envelope-error.js';
import { scanEnvelope } from './envelope-scanner.js';
import { checkEnvelopeValues, decodeBase64, decodeNonce, decodeTag, type EnvelopeHeader } from './fields.js';
import { inflationBudget, type InflationLimits } from './limits.js';
import { senderCertificateFor, unwrapContentKey, type OpenParties } from './parties.js';

export interface OpenStreamOptions extends OpenParties, InflationLimits {
  /** Content up to this size (as Base64) is staged in memory, beyond it in a temporary file. Default 32 MiB. */
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
 * One pass over the envelope stages the Base64 content (memory, or a private temporary file when
 * large) and keeps the other fields: the key, nonce and tag may come after the content, in any
 * field order. A second pass over the staged content decodes it, feeds the signature check and
 * decrypts, inflates within bounds and checks UTF-8; `output` appears only after both the
 * signature and the tag verify. When a later step fails (key, nonce, tag, decryption, inflation),
 * the signature is checked first, so an altered envelope is reported as ENVELOPE_SIGNATURE_INVALID
 * whatever else is wrong with it, as the in-memory open() does.
 *
 * Shortcoming: the content's JSON is checked for its shape (an object or array from first to last
 * character), not parsed as a whole; the bundle validator that reads it next parses it fully.
 */
export async function openStream(input: Readable, output: string, options: OpenStreamOptions): Promise<OpenStreamResult> {
  const stage = new ContentStage(dirname(output), options.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT);
  try {
    const { header, contentChars } = await scanEnvelope(input, stage);
    await new Promise<void>((resolve, reject) => stage.end((error?: Error | null) => (error ? reject(error) : resolve())));

    checkEnvelopeValues(header);
    const senderCertificate = senderCertificateFor(header, options);
    const signature = decodeBase64(header, 'signature');
    const budget = inflationBudget(Math.floor((contentChars * 3) / 4), options, true);

    let decrypting: VerifyingDecryption | undefined;
    let contentBytes = 0;
    let key: Buffer | undefined;
    try {
      key = unwrapContentKey(header, options.registerCredentials);
      const decipher = createDecipheriv('aes-256-gcm', key, decodeNonce(header));
      decipher.setAuthTag(decodeTag(header));
      decrypting = new VerifyingDecryption(decipher, senderCertificate, signature);

      // As few stream stages as the bare decrypt-and-inflate: each extra one cost ~15% throughput.
      await writeAtomically(output, async (temporary) => {
        const writer = new CheckingFileWriter(await openFileHandle(temporary, 'wx', 0o600), budget);
        await pipeline(stage.readable(), decrypting!, createGunzip({ chunkSize: CHUNK }), writer);
        contentBytes = writer.bytes;
      });
    } catch (error) {
      if (!decrypting?.signatureChecked) await checkSignatureAlone(stage.readable(), senderCertificate, signature);
      // A wrong nonce or tag makes the plaintext garbage, which the inflater notices before the
      // tag is due: check the tag on its own, so the failure names the real cause.
      if (key && !decrypting?.tagChecked) await checkTagAlone(stage.readable(), key, header);
      throw asEnvelopeError(error);
    }

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
 * Decodes the Base64 content, feeds the signature check and decrypts with AES-256-GCM. At the end
 * the signature is verified, then the tag. Refuses plaintext that does not start like gzip before
 * zlib gives a vaguer error.
 */
class VerifyingDecryption extends Transform {
  signatureChecked = false;
  tagChecked = false;
  private readonly base64 = new Base64Decoder('encryptedContent');
  private readonly verifier = createVerify('sha256');
  private started = false;

  constructor(
    private readonly decipher: ReturnType<typeof createDecipheriv>,
    private readonly senderCertificate: X509Certificate,
    private readonly signature: Buffer,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const ciphertext = this.base64.push(chunk);
      callback(null, ciphertext ? this.decrypt(ciphertext) : undefined);
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      const last = this.decrypt(this.base64.end());
      this.signatureChecked = true;
      if (!this.verifier.verify(this.senderCertificate.publicKey, this.signature)) throw signatureInvalid();
      this.push(last);
    } catch (error) {
      return callback(error as Error);
    }

    try {
      this.tagChecked = true;
      callback(null, this.decipher.final());
    } catch (cause) {
      callback(new EnvelopeError('ENVELOPE_TAG_INVALID', 'authenticationTag does not authenticate encryptedContent', { cause }));
    }
  }

  private decrypt(ciphertext: Buffer): Buffer {
    this.verifier.update(ciphertext);
    const plain = this.decipher.update(ciphertext);
    if (!this.started && plain.length > 0) {
      // GCM returns as many bytes as it is given: the first piece holds both magic bytes.
      if (plain.length < 2 || plain[0] !== 0x1f || plain[1] !== 0x8b) {
        throw new EnvelopeError('ENVELOPE_NOT_GZIP', 'the decrypted content is not gzip');
      }
      this.started = true;
    }
    return plain;
  }
}

/** After a failure part-way, reads the staged content again only to check the signature over it. */
async function checkSignatureAlone(staged: Readable, certificate: X509Certificate, signature: Buffer): Promise<void> {
  const base64 = new Base64Decoder('encryptedContent');
  const verifier = createVerify('sha256');
  for await (const chunk of staged as AsyncIterable<Buffer>) {
    const ciphertext = base64.push(chunk);
    if (ciphertext) verifier.update(ciphertext);
  }
  verifier.update(base64.end());
  if (!verifier.verify(certificate.publicKey, signature)) throw signatureInvalid();
}

async function checkTagAlone(staged: Readable, key: Buffer, header: Parameters<typeof decodeNonce>[0]): Promise<void> {
  const decipher = createDecipheriv('aes-256-gcm', key, decodeNonce(header));
  decipher.setAuthTag(decodeTag(header));
  const base64 = new Base64Decoder('encryptedContent');
  for await (const chunk of staged as AsyncIterable<Buffer>) {
    const ciphertext = base64.push(chunk);
    if (ciphertext) decipher.update(ciphertext);
  }
  decipher.update(base64.end());
  try {
    decipher.final();
  } catch (cause) {
    throw new EnvelopeError('ENVELOPE_TAG_INVALID', 'authenticationTag does not authenticate encryptedContent (the nonce, tag or content was altered)', { cause });
  }
}

function signatureInvalid(): EnvelopeError {
  return new EnvelopeError('ENVELOPE_SIGNATURE_INVALID', 'the signature over encryptedContent does not verify with the sender certificate');
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
