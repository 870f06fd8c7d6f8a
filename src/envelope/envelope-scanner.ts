import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';

import { EnvelopeError } from './envelope-error.js';
import { ENVELOPE_FIELDS, checkPresent, fieldNamed, type EnvelopeField, type EnvelopeHeader } from './fields.js';

/** Longest raw text accepted for a name or for a field other than encryptedContent. */
const MAX_FIELD_BYTES = 64 * 1024;

const BOM = [0xef, 0xbb, 0xbf];
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SIMPLE_ESCAPES: Record<number, string> = { 0x22: '"', 0x5c: '\\', 0x2f: '/', 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t' };

type State = 'start' | 'firstKey' | 'key' | 'name' | 'colon' | 'value' | 'text' | 'content' | 'next' | 'done';

/**
 * Reads an envelope from a stream: one flat JSON object of strings, names in either casing, fields
 * in any order, any JSON whitespace. Passes the text of encryptedContent (its JSON escapes
 * resolved, its Base64 not yet decoded) piece by piece to `content`, with backpressure, and keeps
 * the other fields; anything else is refused as soon as it arrives.
 *
 * Hand-written for this one fixed shape, because the content is most of the envelope and must pass
 * at memory speed: stream-json (tried first) tokenized it at about 70 MB/s, slower than the
 * decryption and inflation behind it. Short fields and names are decoded by JSON.parse; the content
 * decodes the JSON escapes that .NET's encoder writes into Base64 (`\u002B` for `+`, `\/`).
 */
export async function scanEnvelope(input: Readable, content: Writable): Promise<{ header: EnvelopeHeader; contentChars: number }> {
  const fields: Partial<Record<EnvelopeField, string>> = {};
  let contentBytes = 0;
  let sawContent = false;

  let state: State = 'start';
  let field: EnvelopeField | undefined;
  let raw: Buffer[] = [];
  let rawLength = 0;
  let escape = ''; // an escape sequence in the content, possibly split across chunks
  let textEscaped = false; // a name or short field's last chunk ended in an unfinished escape
  let bomBytes = 0; // how much of a UTF-8 byte-order mark has been read
  let sawAnything = false;

  const write = async (bytes: Buffer | undefined) => {
    if (!bytes?.length) return;
    contentBytes += bytes.length;
    if (content.destroyed) throw content.errored ?? new Error('the ciphertext sink has closed');
    if (!content.write(bytes)) await once(content, 'drain');
  };

  const keepRaw = (piece: Buffer, what: string) => {
    raw.push(piece);
    rawLength += piece.length;
    if (rawLength > MAX_FIELD_BYTES) {
      throw new EnvelopeError('ENVELOPE_FIELD_INVALID', `${what} is longer than ${MAX_FIELD_BYTES} bytes`);
    }
  };

  for await (const chunk of input as AsyncIterable<Buffer>) {
    let at = 0;
    // The next quote and backslash in this chunk, found once and reused while scanning past them.
    let nextQuote = -2;
    let nextBackslash = -2;

    while (at < chunk.length) {
      switch (state) {
        case 'start':
          if (bomBytes < 3 && chunk[at] === BOM[bomBytes] && (bomBytes > 0 || !sawAnything)) {
            bomBytes++;
            at++;
            break;
          }
          if (bomBytes > 0 && bomBytes < 3) throw notJson();
          sawAnything = true;
          at = skipSpace(chunk, at);
          if (at === chunk.length) break;
          if (chunk[at] !== 0x7b) throw new EnvelopeError('ENVELOPE_NOT_JSON', 'the envelope is not a JSON object');
          at++;
          state = 'firstKey';
          break;

        case 'firstKey':
        case 'key':
          at = skipSpace(chunk, at);
          if (at === chunk.length) break;
          if (chunk[at] === 0x7d && state === 'firstKey') {
            state = 'done';
          } else if (chunk[at] === QUOTE) {
            state = 'name';
            raw = [];
            rawLength = 0;
            textEscaped = false;
          } else {
            throw notJson();
          }
          at++;
          break;

        case 'name':
        case 'text': {
          const { end, escaped } = stringEnd(chunk, at, textEscaped);
          textEscaped = escaped;
          keepRaw(chunk.subarray(at, end === -1 ? chunk.length : end), state === 'name' ? 'a field name' : `envelope field "${field}"`);
          if (end === -1) {
            at = chunk.length;
            break;
          }
          const text = decodeJsonString(Buffer.concat(raw));
          if (state === 'name') {
            field = fieldNamed(text);
            if (field in fields || (field === 'encryptedContent' && sawContent)) {
              throw new EnvelopeError('ENVELOPE_FIELD_DUPLICATE', `envelope field "${field}" appears twice`);
            }
            state = 'colon';
          } else {
            fields[field!] = text;
            state = 'next';
          }
          at = end + 1;
          break;
        }

        case 'colon':
          at = skipSpace(chunk, at);
          if (at === chunk.length) break;
          if (chunk[at] !== 0x3a) throw notJson();
          at++;
          state = 'value';
          break;

        case 'value':
          at = skipSpace(chunk, at);
          if (at === chunk.length) break;
          if (chunk[at] !== QUOTE) {
            throw new EnvelopeError('ENVELOPE_FIELD_INVALID', `envelope field "${field}" must be a string`);
          }
          at++;
          if (field === 'encryptedContent') {
            sawContent = true;
            state = 'content';
          } else {
            raw = [];
            rawLength = 0;
            textEscaped = false;
            state = 'text';
          }
          break;

        case 'content': {
          if (escape) {
            // Finish an escape begun at the end of the previous chunk, one byte at a time.
            escape += String.fromCharCode(chunk[at]!);
            at++;
            const decoded = decodeEscape(escape);
            if (decoded !== undefined) {
              escape = '';
              await write(Buffer.from(decoded, 'latin1'));
            }
            break;
          }

          if (nextQuote < at && nextQuote !== -1) nextQuote = chunk.indexOf(QUOTE, at);
          if (nextBackslash < at && nextBackslash !== -1) nextBackslash = chunk.indexOf(BACKSLASH, at);
          const stop = Math.min(nextQuote === -1 ? chunk.length : nextQuote, nextBackslash === -1 ? chunk.length : nextBackslash);

          if (stop > at) await write(chunk.subarray(at, stop));
          at = stop;
          if (at === chunk.length) break;

          if (chunk[at] === QUOTE) {
            state = 'next';
            at++;
          } else {
            escape = '\\';
            at++;
          }
          break;
        }

        case 'next':
          at = skipSpace(chunk, at);
          if (at === chunk.length) break;
          if (chunk[at] === 0x2c) state = 'key';
          else if (chunk[at] === 0x7d) state = 'done';
          else throw notJson();
          at++;
          break;

        case 'done':
          at = skipSpace(chunk, at);
          if (at < chunk.length) throw new EnvelopeError('ENVELOPE_NOT_JSON', 'the envelope has text after its JSON object');
          break;
      }
    }
  }
  if (state !== 'done') throw new EnvelopeError('ENVELOPE_NOT_JSON', 'the envelope ends before its JSON object does');

  for (const name of ENVELOPE_FIELDS) {
    if (name === 'encryptedContent') checkPresent(name, contentBytes > 0 ? 'present' : undefined);
    else checkPresent(name, fields[name]);
  }
  return { header: fields as EnvelopeHeader, contentChars: contentBytes };
}

function skipSpace(chunk: Buffer, at: number): number {
  while (at < chunk.length) {
    const byte = chunk[at]!;
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) break;
    at++;
  }
  return at;
}

/**
 * Where the string that continues at `at` ends (its closing quote), or -1 when not in this chunk;
 * `escaped` says the previous chunk ended just after a backslash, and returns the same for the next.
 */
function stringEnd(chunk: Buffer, at: number, escaped: boolean): { end: number; escaped: boolean } {
  for (let i = at; i < chunk.length; i++) {
    if (escaped) escaped = false;
    else if (chunk[i] === BACKSLASH) escaped = true;
    else if (chunk[i] === QUOTE) return { end: i, escaped: false };
  }
  return { end: -1, escaped };
}

function decodeJsonString(raw: Buffer): string {
  try {
    return JSON.parse(`"${raw.toString('utf8')}"`) as string;
  } catch (cause) {
    throw new EnvelopeError('ENVELOPE_NOT_JSON', 'the envelope has a malformed JSON string', { cause });
  }
}

/** The character an escape stands for, undefined while incomplete; refuses what JSON does not allow. */
function decodeEscape(escape: string): string | undefined {
  if (escape.length < 2) return undefined;
  const simple = SIMPLE_ESCAPES[escape.charCodeAt(1)];
  if (simple !== undefined) return simple;
  if (escape[1] !== 'u') throw new EnvelopeError('ENVELOPE_NOT_JSON', 'the envelope has a malformed JSON escape');
  if (escape.length < 6) return undefined;
  if (!/^\\u[0-9a-fA-F]{4}$/.test(escape)) throw new EnvelopeError('ENVELOPE_NOT_JSON', 'the envelope has a malformed JSON escape');
  return String.fromCharCode(parseInt(escape.slice(2), 16));
}

function notJson(): EnvelopeError {
  return new EnvelopeError('ENVELOPE_NOT_JSON', 'the envelope is not one flat JSON object of strings');
}
