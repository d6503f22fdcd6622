// `cmpv2-operator migrate` (SPEC §5.2): reads a YAML stream (file, folder or stdin), hands it to
// the migrate library, writes the result to -o or stdout and one summary line per workload to
// stderr. Exit 0; 1 on unreadable input (nothing written); 2 when a workload was kept as it was
// (--strict: 1, nothing written).
import { Command, CommanderError } from 'commander';
import { readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_INPUT_BYTES, MigrateInputError, migrateStream, parseIssuer, reportLine } from '../migrate/index.js';
import { readInputText } from './inputs.js';

interface MigrateFlags {
  file: string;
  output?: string;
  issuer: string;
  secretSuffix: string;
  strict?: boolean;
}

/** Exit code when a workload was kept unchanged. */
export const EXIT_KEPT = 2;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_INPUT_BYTES) throw new MigrateInputError(`stdin: more than ${MAX_INPUT_BYTES} bytes; migrate one chart or namespace at a time`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A folder's *.yaml / *.yml / *.json files, by name, as one stream. */
function readFolder(dir: string): string {
  const files = readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort();
  if (files.length === 0) throw new MigrateInputError(`${dir}: no .yaml, .yml or .json file in this folder`);
  let total = 0;
  const parts: string[] = [];
  for (const file of files) {
    const path = join(dir, file);
    total += statSync(path).size;
    if (total > MAX_INPUT_BYTES) throw new MigrateInputError(`${dir}: more than ${MAX_INPUT_BYTES} bytes; migrate one chart or namespace at a time`);
    const text = readInputText(path, 'the -f file');
    parts.push(text.endsWith('\n') ? text : `${text}\n`);
  }
  return parts.join('---\n');
}

async function readInput(file: string): Promise<string> {
  if (file === '-') return readStdin();
  let isDir = false;
  try {
    isDir = statSync(file).isDirectory();
  } catch (err) {
    throw new MigrateInputError(`cannot read the -f file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (isDir) return readFolder(file);
  if (statSync(file).size > MAX_INPUT_BYTES)
    throw new MigrateInputError(`${file}: more than ${MAX_INPUT_BYTES} bytes; migrate one chart or namespace at a time`);
  return readInputText(file, 'the -f file');
}

/** Writes next to the target, then renames: -o never holds half a result. */
function writeOutput(path: string, text: string): void {
  const temporary = `${path}.migrate-${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('turn workloads that run the CertService client / post-processor init containers into cert-manager Certificates and Secret mounts')
    .requiredOption('-f, --file <path>', "YAML stream to migrate: a file, a folder of .yaml files, or '-' for stdin")
    .option('-o, --output <file>', 'write the migrated stream here (default: stdout)')
    .requiredOption(
      '--issuer <KIND/NAME>',
      'issuerRef of the Certificates: CMPv2Issuer/NAME, ClusterCMPv2Issuer/NAME, Issuer/NAME, ClusterIssuer/NAME or Kind.group/NAME',
    )
    .option('--secret-suffix <suffix>', 'appended to the workload name for the Certificate and its Secret', '-cmpv2')
    .option('--strict', 'fail (exit 1, nothing written) when a workload has to be kept as it was')
    .action(async (flags: MigrateFlags) => {
      const issuer = parseIssuer(flags.issuer);
      const source = flags.file === '-' ? 'stdin' : flags.file;
      const result = migrateStream(await readInput(flags.file), { issuer, secretSuffix: flags.secretSuffix }, source);
      for (const report of result.reports) process.stderr.write(`migrate: ${reportLine(report)}\n`);
      if (result.reports.length === 0) process.stderr.write(`migrate: no CertService client init container in ${source}; nothing to migrate\n`);
      const kept = result.reports.filter((r) => r.status === 'kept').length;
      if (kept > 0 && flags.strict) throw new Error(`${kept} workload(s) kept as they were (--strict); nothing written`);
      if (flags.output) writeOutput(flags.output, result.output);
      else process.stdout.write(result.output);
      if (kept > 0) throw new CommanderError(EXIT_KEPT, 'cmpv2-operator.migrate.kept', `${kept} workload(s) kept`);
    });
}
