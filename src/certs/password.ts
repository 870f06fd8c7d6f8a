import { CertsError } from './certs-error.js';

/** The terminal the password prompt talks to; tests pass a fake one. */
export interface PromptTerminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: NodeJS.WritableStream;
}

export const PASSWORD_VARIABLE = 'LMDI_P12_PASSWORD';

/**
 * The PKCS#12 password: from $LMDI_P12_PASSWORD, else asked for without echo when stdin is a
 * terminal. Never a command-line argument, which other users can read in the process list.
 */
export async function pkcs12Password(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  terminal: PromptTerminal = { input: process.stdin, output: process.stderr },
): Promise<string> {
  const fromEnv = env[PASSWORD_VARIABLE];
  if (fromEnv !== undefined) return fromEnv;

  if (!terminal.input.isTTY) {
    throw new CertsError('PKCS12_PASSWORD_MISSING', `${file} needs its password in ${PASSWORD_VARIABLE} (no terminal to ask on)`);
  }
  return promptHidden(`Password for ${file}: `, terminal);
}

/** Reads one line in raw mode so the typed characters are not echoed. */
function promptHidden(question: string, { input, output }: PromptTerminal): Promise<string> {
  output.write(question);
  input.setRawMode?.(true);
  input.resume();

  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      input.removeListener('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };

    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || char === '\u0004') {
          return finish(new CertsError('PKCS12_PASSWORD_MISSING', 'the password prompt was cancelled'));
        }
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.on('data', onData);
  });
}
