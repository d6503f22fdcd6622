// The command line: parses flags and calls the libraries; nothing else lives here.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { operatorVersion } from '../operator/version.js';
import { loadBundleWithCodeCache } from './codeCache.js';
import { addExamples } from './examples.js';

type Register = (program: Command) => void;

// Commands load on demand: `run` pulls in the Kubernetes client (seconds of start-up on a
// loaded machine), which `enroll` or `stores` should not pay for.
const COMMANDS: Record<string, () => Promise<Register>> = {
  enroll: async () => (await enrollModule()).registerEnrollCommand,
  'test-ca': async () => (await import('./testCa.js')).registerTestCaCommand,
  stores: async () => (await import('./stores.js')).registerStoresCommand,
  run: async () => (await import('./run.js')).registerRunCommand,
  certservice: async () => (await import('./certservice.js')).registerCertServiceCommand,
  migrate: async () => (await import('./migrate.js')).registerMigrateCommand,
};

/**
 * The `enroll` command. The shipped CLI (dist/bundle/) has it as a CommonJS bundle with a V8 code
 * cache beside main.js, which starts faster (src/cli/codeCache.ts); tsc's dist/ and tsx load the module.
 */
async function enrollModule(): Promise<typeof import('./enroll.js')> {
  const bundle = fileURLToPath(new URL('./enroll.cjs', import.meta.url));
  // The same code as ./enroll.js, bundled by scripts/bundle.ts.
  if (existsSync(bundle)) return loadBundleWithCodeCache(bundle).exports as unknown as typeof import('./enroll.js');
  return import('./enroll.js');
}

// What the top-level help lists for each command, so `--help`, `--version` and an unknown
// command load no command module (each pulls in pkijs, zod or the Kubernetes client: ~1 s of
// start-up on a 2-core machine). test/cli/main.test.ts checks these equal each command's own
// description.
export const COMMAND_SUMMARIES: Readonly<Record<string, string>> = {
  enroll: 'enrol a certificate from a CMPv2 CA (option names after openssl cmp)',
  'test-ca': 'run the development CMPv2 CA (multi-root, issues what is asked) until SIGINT/SIGTERM',
  stores: 'build Java keystores and truststores (JKS, PKCS#12, PEM) from a certificate, its key and CA bundles',
  run: 'run the issuer and keystore loops against the current kubeconfig (KUBECONFIG, ~/.kube/config) or the in-cluster config, until SIGTERM/SIGINT',
  certservice: "a drop-in for ONAP's CertService REST API (mTLS), enrolling through CMPv2 with the CAs of cmpServers.json",
  migrate: 'turn workloads that run the CertService client / post-processor init containers into cert-manager Certificates and Secret mounts',
};

/** The command `argv` names (`cmpv2-operator NAME …` or `cmpv2-operator help NAME`), if it is one of ours. */
function namedCommand(argv: string[]): string | undefined {
  const named = argv[2] === 'help' ? argv[3] : argv[2];
  return named !== undefined && named in COMMANDS ? named : undefined;
}

/**
 * Builds the program; each command registers itself from its own file. Only the command named
 * in `argv` is loaded; without one (or with an unknown one) none is: the others are listed by
 * name and summary for the top-level help.
 */
export async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command('cmpv2-operator')
    .description('cert-manager issuer for CMPv2 CAs, and Java keystores from Kubernetes Secrets')
    .version(operatorVersion(), '-V, --version', "print the version (package.json's) and exit")
    .exitOverride()
    .showHelpAfterError(false);
  const named = namedCommand(argv);
  for (const name of Object.keys(COMMANDS)) {
    if (name === named) (await COMMANDS[name]())(program);
    else program.command(name).description(COMMAND_SUMMARIES[name]);
  }
  addExamples(program);
  return program;
}

/** Every command registered from its own file (for tests that compare the summaries). */
export async function buildFullProgram(): Promise<Command> {
  const program = new Command('cmpv2-operator');
  for (const name of Object.keys(COMMANDS)) (await COMMANDS[name]())(program);
  return program;
}

let pipeWatched = false;

/**
 * A reader that stopped reading (`cmpv2-operator enroll --help | head -3`) is no error of ours:
 * stop quietly instead of dying on the pipe's EPIPE with a stack trace. Once per process.
 */
function endQuietlyOnClosedPipe(): void {
  if (pipeWatched) return;
  pipeWatched = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
}

/** Runs the CLI; returns the process exit code. Errors are one line on stderr. */
export async function main(argv: string[]): Promise<number> {
  endQuietlyOnClosedPipe();
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`cmpv2-operator: ${message.split('\n')[0]}\n`);
    return 1;
  }
}
