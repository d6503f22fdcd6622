// The logging surface the runtime and controllers need; a pino logger fits it as it is.
// Never log a private key, a password or a Secret's data: log names, reasons and counts.

export interface Logger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

const ignore = (): void => undefined;

export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** An error as log fields: message and name, no stack of user data. */
export function errorFields(err: unknown): { error: string; errorType: string } {
  return err instanceof Error ? { error: err.message, errorType: err.name } : { error: String(err), errorType: typeof err };
}
