// Test material made by the openssl command line, as a certificate vendor or operator would.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class OpensslWorkspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'lmdi-certs-'));

  path(name: string): string {
    return join(this.dir, name);
  }

  run(...args: string[]): Buffer {
    return execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** A self-signed certificate with the given subject and extensions; returns [certPath, keyPath]. */
  selfSigned(name: string, subject: string, options: { key?: string; extensions?: string[]; days?: number } = {}): [string, string] {
    const key = this.path(`${name}.key.pem`);
    const cert = this.path(`${name}.crt.pem`);
    const keyArgs = options.key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', options.key ?? 'rsa:2048'];
    const extensions = (options.extensions ?? []).flatMap((extension) => ['-addext', extension]);
    this.run('req', '-x509', ...keyArgs, '-nodes', '-keyout', key, '-out', cert, '-days', String(options.days ?? 30), '-subj', subject, ...extensions);
    return [cert, key];
  }

  /** PKCS#12 with `openssl pkcs12 -export`, modern (AES, PBKDF2, SHA-256 MAC) or `-legacy` (RC2/3DES, SHA-1). */
  pkcs12(name: string, cert: string, key: string, password: string, legacy: boolean): string {
    const out = this.path(`${name}.p12`);
    this.run('pkcs12', '-export', ...(legacy ? ['-legacy'] : []), '-in', cert, '-inkey', key, '-out', out, '-passout', `pass:${password}`);
    return out;
  }

  read(name: string): Buffer {
    return readFileSync(this.path(name));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
