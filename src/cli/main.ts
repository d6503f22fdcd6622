// The command line: parses flags and calls the libraries; nothing else lives here.
import { Command, CommanderError } from 'commander';
import { operatorVersion } from '../operator/version.js';
import { addExamples } from './examples.js';

type Register = (program: Command) => void;

// Commands load on demand: `run` pulls in the Kubernetes client (seconds of start-up on a
// loaded machine), which `enroll` or `stores` should not pay for.
const COMMANDS: Record<string, () => Promise<Register>> = {
  enroll: async () => (await import('./enroll.js')).registerEnrollCommand,
  'test-ca': async () => (await import('./testCa.js')).registerTestCaCommand,
  stores: async () => (await import('./stores.js')).registerStoresCommand,
  run: async () => (await import('./run.js')).registerRunCommand,
  certservice: async () => (await import('./certservice.js')).registerCertServiceCommand,
  migrate: async () => (await import('./migrate.js')).registerMigrateCommand,
};

/**
 * Builds the program; each command registers itself from its own file. Only the command named
 * in `argv` is loaded; without one (or with an unknown one) all are, so help lists them all.
 */
export async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command('cmpv2-operator')
    .description('cert-manager issuer for CMPv2 CAs, and Java keystores from Kubernetes Secrets')
    .version(operatorVersion(), '-V, --version', "print the version (package.json's) and exit")
    .exitOverride()
    .showHelpAfterError(false);
  const named = argv[2];
  const names = named !== undefined && named in COMMANDS ? [named] : Object.keys(COMMANDS);
  for (const name of names) (await COMMANDS[name]())(program);
  addExamples(program);
  return program;
}

/** Runs the CLI; returns the process exit code. Errors are one line on stderr. */
export async function main(argv: string[]): Promise<number> {
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
