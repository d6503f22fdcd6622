// What the commands read from the flags: files (text or bytes), passwords and secrets. One place,
// so every command words a failure the same way ("cannot read the --cert file x.pem: ENOENT")
// and no secret is ever echoed.
import { readFileSync } from 'node:fs';

/** The bytes of a file; `what` names it in the error, e.g. "the --tls-key file". */
export function readInputFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new Error(`cannot read ${what} ${path}: ${code}`);
  }
}

/** The text (UTF-8) of a file; `what` names it in the error. */
export function readInputText(path: string, what: string): string {
  return readInputFile(path, what).toString('utf8');
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of a file that holds a password or secret: strict UTF-8, or an error saying so. */
export function readSecretText(path: string, what: string): string {
  const bytes = readInputFile(path, what);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new Error(`${what} ${path} is not valid UTF-8 text; save it as UTF-8 (printable ASCII for PKCS#12 stores)`);
  }
}

/** Drops exactly one trailing line break (LF or CRLF), as `echo` and editors add it; nothing else. */
export function dropOneNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

/**
 * A secret given as `pass:TEXT`, `env:VARIABLE` or `file:PATH` (its first line). With `plain`,
 * any other text is the secret itself; without, it is an error naming the three forms.
 */
export function readSecret(spec: string, flag: string, options: { plain?: boolean } = {}): string {
  if (spec.startsWith('pass:')) return spec.slice(5);
  if (spec.startsWith('env:')) {
    const value = process.env[spec.slice(4)];
    if (!value) throw new Error(`${flag}: environment variable ${spec.slice(4)} is not set`);
    return value;
  }
  if (spec.startsWith('file:')) return readSecretText(spec.slice(5), `the ${flag} file`).split(/\r?\n/)[0];
  if (options.plain) return spec;
  throw new Error(`${flag} must be pass:TEXT, env:VARIABLE or file:PATH`);
}

/**
 * A password from `--<flag>` or from the file `--<flag>-file` names (strict UTF-8; exactly one
 * trailing newline is dropped: `echo` adds it; anything else stays and is judged by the store
 * settings), or undefined when neither is given.
 */
export function readPassword(value: string | undefined, file: string | undefined, flag: string): string | undefined {
  if (value !== undefined && file !== undefined) throw new Error(`give either --${flag} or --${flag}-file, not both`);
  if (file === undefined) return value;
  return dropOneNewline(readSecretText(file, 'the password file'));
}
