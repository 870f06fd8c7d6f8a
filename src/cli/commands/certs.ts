import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { Command } from 'commander';

import {
  certificateWarnings,
  createDevCertificates,
  parseCertificate,
  pkcs12Password,
  readPkcs12,
  summarizeCertificate,
  type CertificateRole,
} from '../../certs/index.js';
import { isValidOrgNumber } from '../../fhir/index.js';
import { writeFileAtomic, writeSecretFile } from '../../io/index.js';
import { CliError } from '../cli-error.js';
import { readInputBytes } from '../input.js';
import type { CommandContext } from '../context.js';

const DEV_FILES = ['dev-ca.crt.pem', 'sender.crt.pem', 'sender.key.pem', 'sender.p12', 'register.crt.pem', 'register.key.pem', 'register.p12'];

export function registerCertsCommands(program: Command, context: CommandContext): void {
  const certs = program.command('certs').description('enterprise certificates: inspect, or make throwaway ones for testing');

  certs
    .command('dev')
    .description('write a throwaway CA, and SEID-2 sender and register certificates as PEM and PKCS#12 (never for production)')
    .requiredOption('--out <folder>', 'folder to write into')
    .requiredOption('--org <orgnr>', "the sender's organisation number (9 digits, valid check digit)")
    .option('--force', 'replace certificates and keys already in the folder')
    .action((options: { out: string; org: string; force?: boolean }) => {
      if (!isValidOrgNumber(options.org)) throw new CliError('OPTION_INVALID', `--org ${options.org} is not a valid Norwegian organisation number`);
      // Replacing keys makes every envelope sealed for the old ones unreadable: only on request.
      const existing = DEV_FILES.filter((name) => existsSync(join(options.out, name)));
      if (existing.length > 0 && !options.force) {
        throw new CliError('OPTION_INVALID', `${options.out} already holds ${existing.join(', ')}; give --force to replace them`);
      }

      const password = process.env.LMDI_P12_PASSWORD ?? 'changeit';
      const made = createDevCertificates({ senderOrgNumber: options.org, p12Password: password });
      writeFileAtomic(join(options.out, 'dev-ca.crt.pem'), made.caCertPem);
      writeFileAtomic(join(options.out, 'sender.crt.pem'), made.senderCertPem);
      writeSecretFile(join(options.out, 'sender.key.pem'), made.senderKeyPem);
      writeSecretFile(join(options.out, 'sender.p12'), made.senderP12);
      writeFileAtomic(join(options.out, 'register.crt.pem'), made.registerCertPem);
      writeSecretFile(join(options.out, 'register.key.pem'), made.registerKeyPem);
      writeSecretFile(join(options.out, 'register.p12'), made.registerP12);
      context.output.out(`wrote dev certificates to ${options.out}; the .p12 password is ${process.env.LMDI_P12_PASSWORD ? 'from LMDI_P12_PASSWORD' : '"changeit"'}`);
    });

  certs
    .command('inspect')
    .description('print subject, organisation number, validity, key size, key usages and thumbprint, with warnings')
    .argument('<file>', 'certificate (PEM or DER), or PKCS#12 (.p12/.pfx; password in $LMDI_P12_PASSWORD or asked for)')
    .option('--role <role>', 'check the key usage for this use: sender or register', 'sender')
    .action(async (file: string, options: { role: string }) => {
      if (options.role !== 'sender' && options.role !== 'register') {
        throw new CliError('OPTION_INVALID', `--role must be sender or register, not ${options.role}`);
      }

      const certificate = /\.(p12|pfx)$/i.test(file)
        ? readPkcs12(file, await pkcs12Password(file)).certificate
        : parseCertificate(readInputBytes(file), file);
      const summary = summarizeCertificate(certificate);

      const lines = [
        `subject      ${summary.subject}`,
        `issuer       ${summary.issuer}`,
        `organisation ${'value' in summary.orgNumber ? summary.orgNumber.value : `none (${summary.orgNumber.problem})`}`,
        `valid        ${summary.validFrom.toISOString()} .. ${summary.validTo.toISOString()}`,
        `key          ${summary.keyType}${summary.keySize ? ` ${summary.keySize} bits` : ''}`,
        `key usage    ${summary.keyUsages ? summary.keyUsages.join(', ') || 'none' : '(no KeyUsage extension)'}`,
        `thumbprint   ${summary.thumbprint}`,
      ];
      for (const line of lines) context.output.out(line);
      for (const warning of certificateWarnings(certificate, options.role as CertificateRole)) {
        context.output.err(`warning [${warning.code}]: ${warning.message}`);
      }
    });
}
