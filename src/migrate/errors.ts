// Typed errors of `migrate`: input it cannot read at all (exit 1, nothing written). Everything a
// workload needs that a Certificate cannot express is not an error but a "kept" line of the report.

/** The input stream cannot be migrated: unreadable YAML, a document that is no object, too large. */
export class MigrateInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrateInputError';
  }
}

/** A flag value migrate cannot use (`--issuer`, `--secret-suffix`). */
export class MigrateOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrateOptionError';
  }
}
