import { EnvelopeError } from './envelope-error.js';

/** Standard Base64 of a byte stream in pieces: whole 3-byte groups now, the rest carried. */
export class Base64Encoder {
  private carry = Buffer.alloc(0);

  push(bytes: Buffer): string {
    const joined = this.carry.length ? Buffer.concat([this.carry, bytes]) : bytes;
    const whole = joined.length - (joined.length % 3);
    this.carry = Buffer.from(joined.subarray(whole));
    return joined.toString('base64', 0, whole);
  }

  end(): string {
    const rest = this.carry.toString('base64');
    this.carry = Buffer.alloc(0);
    return rest;
  }
}

const BODY = /^[A-Za-z0-9+/]*$/;
const LAST = /^[A-Za-z0-9+/]*={0,2}$/;
const BATCH = 256 * 1024;

/**
 * Decodes standard Base64 arriving in arbitrary pieces, refusing anything else (Node's decoder
 * would skip junk). Padding may only end the text: the last group is held back until `end`.
 */
export class Base64Decoder {
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(private readonly field: string) {}

  /** Decoded bytes, when a batch is complete; pieces are gathered to decode in large steps. */
  push(text: string): Buffer | undefined {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength < BATCH) return undefined;

    const joined = this.pending.join('');
    const cut = Math.floor((joined.length - 1) / 4) * 4;
    this.pending = [joined.slice(cut)];
    this.pendingLength = joined.length - cut;
    return this.decode(joined.slice(0, cut), BODY);
  }

  end(): Buffer {
    const rest = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    return this.decode(rest, LAST);
  }

  private decode(text: string, pattern: RegExp): Buffer {
    if (text.length % 4 !== 0 || !pattern.test(text)) {
      throw new EnvelopeError('ENVELOPE_BAD_BASE64', `envelope field "${this.field}" is not standard Base64`);
    }
    return Buffer.from(text, 'base64');
  }
}
