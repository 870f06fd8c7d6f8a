import { createSign } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform, type Readable, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants as zlibConstants } from 'node:zlib';

import { writeAtomically } from '../io/index.js';
import { Base64Encoder } from './base64-stream.js';
import type { EnvelopeHeader } from './fields.js';
import { beginSeal, serializeAroundContent, type SealParameters } from './seal.js';

export interface SealStreamOptions extends SealParameters {
  /** gzip level, 0-9; zlib's default (6) unless given. */
  gzipLevel?: number;
}

export interface SealStreamResult {
  /** Every field but the (streamed) content. */
  envelope: EnvelopeHeader;
  contentBytes: number;
  envelopeBytes: number;
}

const CHUNK = 256 * 1024;

/**
 * Seals a bundle arriving as a stream in one pass with bounded memory: gzip, then AES-256-GCM,
 * with the signature fed the ciphertext as it goes, writing the envelope JSON in SPEC order with
 * the Base64 content in the middle; the tag and signature, known only at the end, follow it.
 */
export async function sealStream(content: Readable, output: Writable, options: SealStreamOptions): Promise<SealStreamResult> {
  const sealer = new SealingTransform(options);
  const gzip = createGzip({ level: options.gzipLevel ?? zlibConstants.Z_DEFAULT_COMPRESSION, chunkSize: CHUNK });
  // No stage beyond the bare gzip-and-encrypt: each extra stream stage costs throughput.
  await pipeline(content, gzip, sealer, output);
  return { envelope: sealer.envelope(), contentBytes: gzip.bytesWritten, envelopeBytes: sealer.envelopeBytes };
}

/** Seals the bundle file `input` into the envelope file `output`, written atomically. */
export function sealFile(input: string, output: string, options: SealStreamOptions): Promise<SealStreamResult> {
  return writeAtomically(output, (temporary) =>
    sealStream(createReadStream(input, { highWaterMark: CHUNK }), createWriteStream(temporary, { flags: 'wx' }), options),
  );
}

/** Encrypts, signs and Base64-encodes the compressed content, framing it in the envelope JSON. */
class SealingTransform extends Transform {
  envelopeBytes = 0;

  private readonly begun;
  private readonly signer = createSign('sha256');
  private readonly base64 = new Base64Encoder();
  private readonly senderKey;
  private finished: EnvelopeHeader | undefined;

  constructor(options: SealStreamOptions) {
    super();
    this.begun = beginSeal(options);
    this.senderKey = options.senderKey;

    // The text before the content needs neither tag nor signature; placeholders never reach it.
    const { before } = serializeAroundContent({ ...this.begun.header, authenticationTag: '', signature: '' });
    this.pushText(before);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const ciphertext = this.begun.cipher.update(chunk);
    this.signer.update(ciphertext);
    this.pushText(this.base64.push(ciphertext));
    callback();
  }

  override _flush(callback: TransformCallback): void {
    const last = this.begun.cipher.final();
    this.signer.update(last);
    this.pushText(this.base64.push(last) + this.base64.end());

    this.finished = {
      ...this.begun.header,
      authenticationTag: this.begun.cipher.getAuthTag().toString('base64'),
      signature: this.signer.sign(this.senderKey).toString('base64'),
    };
    this.pushText(serializeAroundContent(this.finished).after);
    callback();
  }

  envelope(): EnvelopeHeader {
    if (!this.finished) throw new Error('the envelope is not finished');
    return this.finished;
  }

  private pushText(text: string): void {
    if (text.length === 0) return;
    const bytes = Buffer.from(text, 'latin1');
    this.envelopeBytes += bytes.length;
    this.push(bytes);
  }
}
