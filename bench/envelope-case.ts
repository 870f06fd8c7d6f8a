// One measured case of the envelope benchmark, run in its own process so that its peak RSS is
// its own: `node --import tsx bench/envelope-case.ts <case> <input> <output> <credentials folder>`.
import { createCipheriv, createDecipheriv, createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';

import { openFile, sealFile } from '../src/envelope/index.js';

const [kind, input, output, credentials] = process.argv.slice(2) as [string, string, string, string];
const CHUNK = 256 * 1024;

const pem = (name: string) => readFileSync(join(credentials, name));
const sender = { certificate: new X509Certificate(pem('sender.crt.pem')), privateKey: createPrivateKey(pem('sender.key.pem')) };
const register = { certificate: new X509Certificate(pem('register.crt.pem')), privateKey: createPrivateKey(pem('register.key.pem')) };

const started = process.hrtime.bigint();
switch (kind) {
  case 'seal':
    await sealFile(input, output, {
      senderCertificate: sender.certificate,
      senderKey: sender.privateKey,
      registerCertificate: register.certificate,
      rapporteringFra: '2025-01-01T00:00:00+01:00',
      rapporteringTil: '2025-01-31T23:59:59+01:00',
    });
    break;

  case 'open':
    await openFile(input, output, { registerCredentials: [register], findSenderCertificate: () => sender.certificate });
    break;

  // The baseline: the same gzip level and AES-256-GCM over the same bytes, nothing else.
  case 'baseline-seal': {
    const key = randomBytes(32);
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    await pipeline(createReadStream(input, { highWaterMark: CHUNK }), createGzip({ chunkSize: CHUNK }), cipher, createWriteStream(output));
    writeFileSync(`${output}.key`, Buffer.concat([key, nonce, cipher.getAuthTag()]));
    break;
  }

  case 'baseline-open': {
    const secrets = readFileSync(`${input}.key`);
    const decipher = createDecipheriv('aes-256-gcm', secrets.subarray(0, 32), secrets.subarray(32, 44));
    decipher.setAuthTag(secrets.subarray(44, 60));
    await pipeline(createReadStream(input, { highWaterMark: CHUNK }), decipher, createGunzip({ chunkSize: CHUNK }), createWriteStream(output));
    break;
  }

  default:
    throw new Error(`unknown case ${kind}`);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;

process.stdout.write(JSON.stringify({ seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
