import type { X509Certificate } from 'node:crypto';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

import type { Command } from 'commander';

import {
  checkPair,
  certificateWarnings,
  checkPublishedRegisterCertificate,
  pkcs12Password,
  readCertificate,
  readPkcs12,
  readPrivateKey,
  sameThumbprint,
  thumbprint,
  type CertificateRole,
  type Credential,
} from '../../certs/index.js';
import { ENVIRONMENTS, type EnvironmentName } from '../../client/index.js';
import { openFile, sealFile } from '../../envelope/index.js';
import { DEFAULT_IG, parseBundleJson, validateBundle, type IgVersion } from '../../fhir/index.js';
import { CliError } from '../cli-error.js';
import { parseIgVersion, readInputBytes } from '../input.js';
import type { CommandContext } from '../context.js';
import { printIssues } from '../output.js';

interface SenderKeyOptions {
  senderCert?: string;
  senderKey?: string;
  senderP12?: string;
}

interface SealCommandOptions extends SenderKeyOptions {
  in: string;
  out: string;
  receiverCert: string;
  env?: string;
  allowOtherRegisterCert?: boolean;
  org?: string;
  from: string;
  to: string;
  validate: boolean;
  ig: IgVersion;
}

/** Bundles up to this size are validated before sealing; the validator holds the whole bundle in memory. */
const MAX_VALIDATED_BYTES = 256 * 1024 * 1024;

export function registerEnvelopeCommands(program: Command, context: CommandContext): void {
  program
    .command('seal')
    .description('validate a bundle and seal it into a SignertKryptertBundle (gzip, AES-256-GCM, RSA-OAEP, signature), streaming')
    .requiredOption('--in <file>', 'LegemiddelregisterBundle JSON file')
    .requiredOption('--out <file>', 'where to write the envelope JSON')
    .requiredOption('--receiver-cert <file>', "the register's encryption certificate (PEM or DER)")
    .option('--env <env>', "refuse a receiver certificate other than the register's published one for test or prod")
    .option('--allow-other-register-cert', 'with --env, seal for a receiver certificate that is not the published one')
    .option('--org <orgnr>', 'senderOrganizationIdentifier (default: the one in the sender certificate)')
    .requiredOption('--from <instant>', 'rapporteringFra, ISO 8601 with offset')
    .requiredOption('--to <instant>', 'rapporteringTil, ISO 8601 with offset')
    .option('--sender-p12 <file>', 'enterprise certificate as PKCS#12; password in $LMDI_P12_PASSWORD, or asked for on a terminal')
    .option('--sender-cert <file>', 'enterprise certificate (PEM), with --sender-key')
    .option('--sender-key <file>', 'its private key (PEM); passphrase, if any, in $LMDI_KEY_PASSPHRASE')
    .option('--no-validate', 'seal without checking the bundle first')
    .option('--ig <version>', 'LMDI implementation guide to validate against: 1.0.7 or 1.1', parseIgVersion, DEFAULT_IG)
    .action(async (options: SealCommandOptions) => {
      const { output } = context;
      if (resolve(options.in) === resolve(options.out)) throw new CliError('OPTION_INVALID', '--out must not be the --in file');
      if (options.validate && !bundleIsValid(options.in, options.ig, context)) return;

      const registerCertificate = readCertificate(options.receiverCert);
      checkRegisterCertificate(registerCertificate, options, context);
      const sender = await senderCredential(options);
      warnAbout(sender.certificate, 'sender', context);
      warnAbout(registerCertificate, 'register', context);

      const sealed = await sealFile(options.in, options.out, {
        senderCertificate: sender.certificate,
        senderKey: sender.privateKey,
        registerCertificate,
        ...(options.org === undefined ? {} : { senderOrganizationIdentifier: options.org }),
        rapporteringFra: options.from,
        rapporteringTil: options.to,
      });
      output.out(
        `sealed message ${sealed.envelope.messageId} from ${sealed.envelope.senderOrganizationIdentifier} into ${options.out} (${sealed.contentBytes} bytes in, ${sealed.envelopeBytes} bytes out)`,
      );
    });

  program
    .command('open')
    .description("the register's side: verify the signature, decrypt and decompress a SignertKryptertBundle, streaming")
    .requiredOption('--in <file>', 'SignertKryptertBundle JSON file')
    .requiredOption('--out <file>', 'where to write the bundle JSON (only once everything verifies)')
    .requiredOption('--receiver-cert <file...>', "the register's certificates (PEM or DER); several during a rollover")
    .requiredOption('--receiver-key <file...>', "their private keys (PEM), in the same order; passphrase in $LMDI_KEY_PASSPHRASE")
    .requiredOption('--sender-cert <file...>', 'certificates of known senders (PEM or DER)')
    .action(async (options: { in: string; out: string; receiverCert: string[]; receiverKey: string[]; senderCert: string[] }) => {
      if (options.receiverCert.length !== options.receiverKey.length) {
        throw new CliError('OPTION_INVALID', 'give one --receiver-key for each --receiver-cert, in the same order');
      }
      const senders = options.senderCert.map((file) => readCertificate(file));
      const registerCredentials: Credential[] = options.receiverCert.map((file, index) => {
        const keyFile = options.receiverKey[index]!;
        const credential = { certificate: readCertificate(file), privateKey: readPrivateKey(keyFile, process.env.LMDI_KEY_PASSPHRASE) };
        // A wrong key would otherwise surface as ENVELOPE_KEY_UNWRAP_FAILED, which blames the envelope.
        checkPair(credential, `${keyFile} with ${file}`);
        return credential;
      });

      statOrFail(options.in);
      const opened = await openFile(options.in, options.out, {
        registerCredentials,
        findSenderCertificate: (thumb) => senders.find((cert) => sameThumbprint(thumbprint(cert), thumb)),
      });
      context.output.out(
        `opened message ${opened.envelope.messageId} from ${opened.envelope.senderOrganizationIdentifier}: signature and tag valid, ${opened.contentBytes} bytes written to ${options.out}`,
      );
    });
}

/** Validates the bundle first when it fits in memory; prints the findings and sets exit 1 when invalid. */
function bundleIsValid(file: string, ig: IgVersion, context: CommandContext): boolean {
  const size = statOrFail(file).size;
  if (size > MAX_VALIDATED_BYTES) {
    throw new CliError(
      'OPTION_INVALID',
      `${file} is ${size} bytes, too large to validate in memory (limit ${MAX_VALIDATED_BYTES}); validate it in parts, then seal with --no-validate`,
    );
  }

  const result = validateBundle(parseBundleJson(readInputBytes(file).toString('utf8'), file), { ig });
  if (result.valid) return true;

  context.output.err(`error [BUNDLE_INVALID]: ${file} does not conform to LMDI ${ig}; nothing was sealed`);
  printIssues(context.output, result.issues);
  context.exitCode = 1;
  return false;
}

function checkRegisterCertificate(certificate: X509Certificate, options: SealCommandOptions, context: CommandContext): void {
  if (options.env === undefined) {
    if (options.allowOtherRegisterCert) throw new CliError('OPTION_INVALID', '--allow-other-register-cert only makes sense with --env');
    return;
  }
  if (!(options.env in ENVIRONMENTS)) {
    throw new CliError('OPTION_INVALID', `--env must be one of ${Object.keys(ENVIRONMENTS).join(', ')}, not ${options.env}`);
  }

  const published = ENVIRONMENTS[options.env as EnvironmentName].registerThumbprint;
  checkPublishedRegisterCertificate(certificate, { environment: options.env, thumbprint: published }, options.allowOtherRegisterCert);
  if (!sameThumbprint(thumbprint(certificate), published)) {
    context.output.err(`warning [CERT_NOT_PUBLISHED_REGISTER]: sealing for ${thumbprint(certificate)}, not the published ${options.env.toUpperCase()} register certificate`);
  }
}

function warnAbout(certificate: X509Certificate, role: CertificateRole, context: CommandContext): void {
  for (const warning of certificateWarnings(certificate, role)) {
    context.output.err(`warning [${warning.code}]: ${role} certificate: ${warning.message}`);
  }
}

async function senderCredential(options: SenderKeyOptions): Promise<Credential> {
  if (options.senderP12 && (options.senderCert || options.senderKey)) {
    throw new CliError('OPTION_INVALID', 'give the sender credentials either as --sender-p12 or as --sender-cert with --sender-key, not both');
  }
  if (options.senderP12) {
    return readPkcs12(options.senderP12, await pkcs12Password(options.senderP12));
  }
  if (options.senderCert && options.senderKey) {
    return { certificate: readCertificate(options.senderCert), privateKey: readPrivateKey(options.senderKey, process.env.LMDI_KEY_PASSPHRASE) };
  }
  throw new CliError('OPTION_INVALID', 'give the sender enterprise certificate as --sender-p12, or as --sender-cert with --sender-key');
}

function statOrFail(file: string) {
  try {
    return statSync(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CliError('INPUT_UNREADABLE', `cannot read ${file} (${code})`, { cause });
  }
}
