import { join } from 'node:path';

import type { Command } from 'commander';

import { createDevCertificates, orgNumberOf, readCertificate, thumbprint } from '../../certs/index.js';
import { isValidOrgNumber } from '../../fhir/index.js';
import { writeFileAtomic, writeSecretFile } from '../../io/index.js';
import { CliError } from '../cli-error.js';
import type { CommandContext } from '../context.js';

export function registerCertsCommands(program: Command, context: CommandContext): void {
  const certs = program.command('certs').description('enterprise certificates: inspect, or make throwaway ones for testing');

  certs
    .command('dev')
    .description('write a throwaway CA, sender and register certificates with keys (never for production)')
    .requiredOption('--out <folder>', 'folder to write into')
    .requiredOption('--org <orgnr>', "the sender's organisation number (9 digits, valid check digit)")
    .action((options: { out: string; org: string }) => {
      if (!isValidOrgNumber(options.org)) throw new CliError('OPTION_INVALID', `--org ${options.org} is not a valid Norwegian organisation number`);

      const password = process.env.LMDI_P12_PASSWORD ?? 'changeit';
      const made = createDevCertificates({ senderOrgNumber: options.org, p12Password: password });
      writeFileAtomic(join(options.out, 'dev-ca.crt.pem'), made.caCertPem);
      writeFileAtomic(join(options.out, 'sender.crt.pem'), made.senderCertPem);
      writeSecretFile(join(options.out, 'sender.key.pem'), made.senderKeyPem);
      writeSecretFile(join(options.out, 'sender.p12'), made.senderP12);
      writeFileAtomic(join(options.out, 'register.crt.pem'), made.registerCertPem);
      writeSecretFile(join(options.out, 'register.key.pem'), made.registerKeyPem);
      context.output.out(`wrote dev certificates for ${options.out}; sender.p12 password is ${process.env.LMDI_P12_PASSWORD ? 'from LMDI_P12_PASSWORD' : '"changeit"'}`);
    });

  certs
    .command('inspect')
    .description('print the thumbprint, organisation number and validity of a certificate')
    .argument('<file>', 'certificate, PEM or DER')
    .action((file: string) => {
      const certificate = readCertificate(file);
      const lines = [
        `thumbprint   ${thumbprint(certificate)}`,
        `organisation ${safeOrgNumber(certificate)}`,
        `subject      ${certificate.subject.replaceAll('\n', ', ')}`,
        `valid        ${certificate.validFrom} .. ${certificate.validTo}`,
      ];
      for (const line of lines) context.output.out(line);
    });
}

function safeOrgNumber(certificate: Parameters<typeof orgNumberOf>[0]): string {
  try {
    return orgNumberOf(certificate);
  } catch (error) {
    return `none (${(error as Error).message})`;
  }
}
