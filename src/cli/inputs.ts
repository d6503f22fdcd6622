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
  if (spec.startsWith('file:')) return readInputText(spec.slice(5), `the ${flag} file`).split(/\r?\n/)[0];
  if (options.plain) return spec;
  throw new Error(`${flag} must be pass:TEXT, env:VARIABLE or file:PATH`);
}

/**
 * A password from `--<flag>` or from the file `--<flag>-file` names (one trailing newline is
 * dropped: `echo` adds it), or undefined when neither is given.
 */
export function readPassword(value: string | undefined, file: string | undefined, flag: string): string | undefined {
  if (value !== undefined && file !== undefined) throw new Error(`give either --${flag} or --${flag}-file, not both`);
  if (file === undefined) return value;
  return readInputText(file, 'the password file').replace(/\r?\n$/, '');
}
