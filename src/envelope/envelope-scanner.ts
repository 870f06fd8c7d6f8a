import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import parser from 'stream-json/parser.js';

import { isLmdiError } from '../errors/index.js';
import { Base64Decoder } from './base64-stream.js';
import { EnvelopeError } from './envelope-error.js';
import { ENVELOPE_FIELDS, checkPresent, fieldNamed, type EnvelopeField, type EnvelopeHeader } from './fields.js';

type Token = parser.Token;

/** Longest value accepted for a field other than encryptedContent (all are short by nature). */
const MAX_FIELD_CHARS = 64 * 1024;

/**
 * Reads an envelope from a stream with stream-json, in any field order, names in either casing:
 * decodes encryptedContent piece by piece into `content` (with backpressure), keeps the other
 * fields. The envelope is one flat object of strings; anything else is refused as it arrives.
 */
export async function scanEnvelope(input: Readable, content: Writable): Promise<{ header: EnvelopeHeader; contentBytes: number }> {
  const tokens = parser.asStream({
    packKeys: true,
    streamKeys: false,
    packStrings: false,
    streamStrings: true,
    maxPackedLength: MAX_FIELD_CHARS,
    maxDepth: 2,
  });
  // pipeline() tears both down when either fails or the reader stops early; the reason reaches
  // the reader through the token stream, so this promise's own rejection carries nothing new.
  pipeline(input, tokens).catch(() => undefined);

  const fields: Partial<Record<EnvelopeField, string>> = {};
  let contentBytes = 0;
  let field: EnvelopeField | undefined;
  let text: string[] = [];
  let decoder: Base64Decoder | undefined;
  let state: 'start' | 'key' | 'value' | 'string' | 'done' = 'start';

  const write = async (bytes: Buffer | undefined) => {
    if (!bytes?.length) return;
    contentBytes += bytes.length;
    if (content.destroyed) throw content.errored ?? new Error('the ciphertext sink has closed');
    if (!content.write(bytes)) await once(content, 'drain');
  };

  for await (const token of readTokens(tokens)) {
    switch (state) {
      case 'start':
        if (token.name !== 'startObject') throw new EnvelopeError('ENVELOPE_NOT_JSON', 'the envelope is not a JSON object');
        state = 'key';
        break;

      case 'key':
        if (token.name === 'endObject') {
          state = 'done';
          break;
        }
        if (token.name !== 'keyValue') throw notJson();
        field = fieldNamed(token.value);
        if (field in fields || (field === 'encryptedContent' && decoder)) {
          throw new EnvelopeError('ENVELOPE_FIELD_DUPLICATE', `envelope field "${field}" appears twice`);
        }
        state = 'value';
        break;

      case 'value':
        if (token.name !== 'startString') {
          throw new EnvelopeError('ENVELOPE_FIELD_INVALID', `envelope field "${field}" must be a string`);
        }
        if (field === 'encryptedContent') decoder = new Base64Decoder(field);
        text = [];
        state = 'string';
        break;

      case 'string':
        if (token.name === 'stringChunk') {
          if (field === 'encryptedContent') await write(decoder!.push(token.value));
          else keepShortText(text, token.value, field!);
        } else if (token.name === 'endString') {
          if (field === 'encryptedContent') await write(decoder!.end());
          else fields[field!] = text.join('');
          state = 'key';
        }
        break;

      case 'done':
        throw notJson();
    }
  }
  if (state !== 'done') throw notJson();

  for (const name of ENVELOPE_FIELDS) {
    if (name === 'encryptedContent') checkPresent(name, contentBytes > 0 ? 'present' : undefined);
    else checkPresent(name, fields[name]);
  }
  return { header: fields as EnvelopeHeader, contentBytes };
}

function keepShortText(text: string[], piece: string, field: string): void {
  text.push(piece);
  if (text.length * 256 > MAX_FIELD_CHARS && text.join('').length > MAX_FIELD_CHARS) {
    throw new EnvelopeError('ENVELOPE_FIELD_INVALID', `envelope field "${field}" is longer than ${MAX_FIELD_CHARS} characters`);
  }
}

/** The parser's tokens; its syntax errors become ENVELOPE_NOT_JSON. */
async function* readTokens(tokens: AsyncIterable<Token>): AsyncGenerator<Token> {
  try {
    yield* tokens;
  } catch (cause) {
    // Our own refusals and the input's I/O errors (ENOENT, EACCES...) pass unchanged.
    if (isLmdiError(cause) || (cause as NodeJS.ErrnoException).syscall) throw cause;
    throw new EnvelopeError('ENVELOPE_NOT_JSON', `the envelope is not valid JSON (${(cause as Error).message})`, { cause });
  }
}

function notJson(): EnvelopeError {
  return new EnvelopeError('ENVELOPE_NOT_JSON', 'the envelope is not one flat JSON object of strings');
}
