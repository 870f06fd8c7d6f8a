import { createDecipheriv, verify, type X509Certificate } from 'node:crypto';
import { gunzipSync } from 'node:zlib';

import { EnvelopeError } from './envelope-error.js';
import { decodeBase64, decodeNonce, decodeTag, readEnvelope, type SignertKryptertBundle } from './fields.js';
import { inflationBudget, type InflationLimits } from './limits.js';
import { senderCertificateFor, unwrapContentKey, type OpenParties } from './parties.js';

export interface OpenOptions extends OpenParties, InflationLimits {}

export interface OpenResult {
  envelope: SignertKryptertBundle;
  senderCertificate: X509Certificate;
  /** The LegemiddelregisterBundle JSON text. */
  content: string;
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/**
 * Opens a SignertKryptertBundle held in memory (the parsed JSON body): checks the fields, finds both
 * certificates, verifies the signature before decrypting, then unwraps the key, decrypts,
 * authenticates, inflates within bounds and checks the result is UTF-8 JSON.
 */
export function open(input: unknown, options: OpenOptions): OpenResult {
  const envelope = readEnvelope(input);
  const senderCertificate = senderCertificateFor(envelope, options);

  const ciphertext = decodeBase64(envelope, 'encryptedContent');
  const signature = decodeBase64(envelope, 'signature');
  if (!verify('sha256', ciphertext, senderCertificate.publicKey, signature)) {
    throw new EnvelopeError('ENVELOPE_SIGNATURE_INVALID', 'the signature over encryptedContent does not verify with the sender certificate');
  }

  const key = unwrapContentKey(envelope, options.registerCredentials);
  const compressed = decrypt(envelope, ciphertext, key);
  const text = decodeUtf8(inflate(compressed, options));
  checkJson(text);

  return { envelope, senderCertificate, content: text };
}

function decrypt(envelope: SignertKryptertBundle, ciphertext: Buffer, key: Buffer): Buffer {
  const nonce = decodeNonce(envelope);
  const tag = decodeTag(envelope);

  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (cause) {
    throw new EnvelopeError('ENVELOPE_TAG_INVALID', 'authenticationTag does not authenticate encryptedContent', { cause });
  }
}

function inflate(compressed: Buffer, limits: InflationLimits): Buffer {
  if (!compressed.subarray(0, 2).equals(GZIP_MAGIC)) {
    throw new EnvelopeError('ENVELOPE_NOT_GZIP', 'the decrypted content is not gzip');
  }

  const budget = inflationBudget(compressed.length, limits, false);
  try {
    return gunzipSync(compressed, { maxOutputLength: budget.bytes });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw budget.error();
    throw new EnvelopeError('ENVELOPE_NOT_GZIP', 'the decrypted content is not valid gzip', { cause });
  }
}

function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new EnvelopeError('ENVELOPE_NOT_UTF8', 'the decrypted content is not UTF-8', { cause });
  }
}

function checkJson(text: string): void {
  try {
    JSON.parse(text);
  } catch (cause) {
    throw new EnvelopeError('ENVELOPE_CONTENT_NOT_JSON', 'the decrypted content is not JSON', { cause });
  }
}
