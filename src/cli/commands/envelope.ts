import type { Command } from 'commander';

import { readCertificate, readPkcs12, readPrivateKey, sameThumbprint, thumbprint, type Credential } from '../../certs/index.js';
import { open, seal, serializeEnvelope } from '../../envelope/index.js';
import { parseBundleJson, validateBundle } from '../../fhir/index.js';
import { writeFileAtomic } from '../../io/index.js';
import { CliError } from '../cli-error.js';
import type { CommandContext } from '../context.js';
import { printIssues } from '../output.js';
import { readInput, readInputBytes } from './validate.js';

interface SenderKeyOptions {
  senderCert?: string;
  senderKey?: string;
  senderP12?: string;
}

export function registerEnvelopeCommands(program: Command, context: CommandContext): void {
  program
    .command('seal')
    .description('validate a bundle and seal it into a SignertKryptertBundle (gzip, AES-256-GCM, RSA-OAEP, signature)')
    .requiredOption('--in <file>', 'LegemiddelregisterBundle JSON file')
    .requiredOption('--out <file>', 'where to write the envelope JSON')
    .requiredOption('--receiver-cert <file>', "the register's encryption certificate (PEM or DER)")
    .option('--org <orgnr>', 'senderOrganizationIdentifier (default: the one in the sender certificate)')
    .requiredOption('--from <instant>', 'rapporteringFra, ISO 8601 with offset')
    .requiredOption('--to <instant>', 'rapporteringTil, ISO 8601 with offset')
    .option('--sender-p12 <file>', 'enterprise certificate as PKCS#12; password in $LMDI_P12_PASSWORD')
    .option('--sender-cert <file>', 'enterprise certificate (PEM), with --sender-key')
    .option('--sender-key <file>', 'its private key (PEM); passphrase, if any, in $LMDI_KEY_PASSPHRASE')
    .option('--no-validate', 'seal without checking the bundle first')
    .action((options: SenderKeyOptions & { in: string; out: string; receiverCert: string; org?: string; from: string; to: string; validate: boolean }) => {
      const { output } = context;
      const bundleFile = options.in;
      const content = readInputBytes(bundleFile);

      if (options.validate) {
        const result = validateBundle(parseBundleJson(content.toString('utf8'), bundleFile));
        if (!result.valid) {
          output.err(`error [BUNDLE_INVALID]: ${bundleFile} does not conform to the LMDI rules; nothing was sealed`);
          printIssues(output, result.issues);
          context.exitCode = 1;
          return;
        }
      }

      const sender = senderCredential(options);
      const envelope = seal({
        content,
        senderCertificate: sender.certificate,
        senderKey: sender.privateKey,
        registerCertificate: readCertificate(options.receiverCert),
        ...(options.org === undefined ? {} : { senderOrganizationIdentifier: options.org }),
        rapporteringFra: options.from,
        rapporteringTil: options.to,
      });
      writeFileAtomic(options.out, serializeEnvelope(envelope));
      output.out(`sealed message ${envelope.messageId} from ${envelope.senderOrganizationIdentifier} into ${options.out}`);
    });

  program
    .command('open')
    .description("the register's side: verify the signature, decrypt and decompress a SignertKryptertBundle")
    .requiredOption('--in <file>', 'SignertKryptertBundle JSON file')
    .requiredOption('--out <file>', 'where to write the bundle JSON')
    .requiredOption('--receiver-cert <file>', "the register's certificate (PEM or DER)")
    .requiredOption('--receiver-key <file>', "the register's private key (PEM)")
    .requiredOption('--sender-cert <file...>', 'certificates of known senders (PEM or DER)')
    .action((options: { in: string; out: string; receiverCert: string; receiverKey: string; senderCert: string[] }) => {
      const envelopeFile = options.in;
      const senders = options.senderCert.map((file) => readCertificate(file));
      const registerCredential: Credential = {
        certificate: readCertificate(options.receiverCert),
        privateKey: readPrivateKey(options.receiverKey, process.env.LMDI_KEY_PASSPHRASE),
      };

      const opened = open(parseJson(readInput(envelopeFile), envelopeFile), {
        registerCredentials: [registerCredential],
        findSenderCertificate: (thumb) => senders.find((cert) => sameThumbprint(thumbprint(cert), thumb)),
      });
      writeFileAtomic(options.out, opened.content);
      context.output.out(`opened message ${opened.envelope.messageId} from ${opened.envelope.senderOrganizationIdentifier}: signature valid, ${opened.content.length} characters written to ${options.out}`);
    });
}

function senderCredential(options: SenderKeyOptions): Credential {
  if (options.senderP12) {
    const password = process.env.LMDI_P12_PASSWORD;
    if (password === undefined) throw new CliError('OPTION_INVALID', '--sender-p12 needs its password in the environment variable LMDI_P12_PASSWORD');
    return readPkcs12(options.senderP12, password);
  }
  if (options.senderCert && options.senderKey) {
    return { certificate: readCertificate(options.senderCert), privateKey: readPrivateKey(options.senderKey, process.env.LMDI_KEY_PASSPHRASE) };
  }
  throw new CliError('OPTION_INVALID', 'give the sender enterprise certificate as --sender-p12, or as --sender-cert with --sender-key');
}

/** Parses JSON input; the envelope module reports a non-object, so only syntax fails here. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (cause) {
    // Node's message quotes the start of the text, which may be personal data: give the place only.
    throw new CliError('INPUT_NOT_JSON', `${source} is not JSON`, { cause });
  }
}
