// The migrate library's public surface: no Kubernetes client code, no cluster access. It reads
// YAML text and writes YAML text plus a report; the CLI reads files and prints.
export { migrateStream, reportLine, MAX_INPUT_BYTES, type MigrateOptions, type MigrateResult, type WorkloadReport } from './migrate.js';
export { parseIssuer, type IssuerRef } from './certificate.js';
export { MigrateInputError, MigrateOptionError } from './errors.js';
export { typeSans, type TypedSans } from './sans.js';
