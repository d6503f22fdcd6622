// The command line: parses flags and calls the libraries; nothing else lives here.
import { Command, CommanderError } from 'commander';
import { registerEnrollCommand } from './enroll.js';
import { registerTestCaCommand } from './test-ca.js';
import { registerStoresCommand } from './stores.js';
import { registerRunCommand } from './run.js';

/** Builds the program; each command registers itself from its own file. */
export function buildProgram(): Command {
  const program = new Command('cmpv2-operator')
    .description('cert-manager issuer for CMPv2 CAs, and Java keystores from Kubernetes Secrets')
    .exitOverride()
    .showHelpAfterError(false);
  registerEnrollCommand(program);
  registerTestCaCommand(program);
  registerStoresCommand(program);
  registerRunCommand(program);
  return program;
}

/** Runs the CLI; returns the process exit code. Errors are one line on stderr. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
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
