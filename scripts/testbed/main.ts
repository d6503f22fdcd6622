// `npm run testbed -- <command>`: build, start, stop and inspect the local Kubernetes test bed
// (etcd, kube-apiserver and the cert-manager controller built from Go modules).
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import { down, status, up, userKubeconfig } from './bed.js';
import { ensureBuilt } from './build.js';
import { binaryPath, layout } from './layout.js';

const log = (line: string): void => console.log(line);
const relative = (file: string): string => path.relative(process.cwd(), file) || file;

function program(): Command {
  const cli = new Command('testbed').description(
    'Local Kubernetes test bed on 127.0.0.1: etcd, kube-apiserver and the cert-manager controller, built from Go modules into .testbed/bin',
  );

  cli
    .command('build')
    .description('build (or confirm cached) the binaries; CI runs this before the tests')
    .action(async () => {
      const rebuilt = await ensureBuilt(log);
      log(rebuilt.length > 0 ? `testbed: built ${rebuilt.join(', ')}` : 'testbed: all binaries cached');
    });

  cli
    .command('up')
    .description('build if needed, start the bed (or reuse a running healthy one), write and print .testbed/kubeconfig')
    .addOption(
      new Option('--no-approver', "run cert-manager without its CertificateRequest approver (default: on, or TESTBED_APPROVER=0 turns it off)"),
    )
    .action(async (opts: { approver: boolean }, command: Command) => {
      // The flag decides when given; otherwise TESTBED_APPROVER does (see bed.ts).
      const approver = command.getOptionValueSource('approver') === 'cli' ? opts.approver : undefined;
      const bed = await up({ approver, log });
      log(`testbed: ${bed.reused ? 'already running' : 'running'} at ${bed.server} (cert-manager approver ${bed.approver ? 'on' : 'off'})`);
      log(`testbed: kubeconfig ${relative(bed.kubeconfig)}:`);
      // Printed for reference; the private key stays in the file only.
      const text = await fs.readFile(bed.kubeconfig, 'utf8');
      process.stdout.write(text.replace(/(client-key-data:\s*)\S+/g, `$1<in ${relative(bed.kubeconfig)}>`));
    });

  cli
    .command('down')
    .description('stop every process of the bed and remove its data (binaries and keys stay)')
    .action(async () => {
      await down({ log });
      log('testbed: stopped');
    });

  cli
    .command('status')
    .description('exit 0 and print the server when the bed is running and healthy, else exit 1')
    .action(async () => {
      const bed = await status();
      if (!bed) throw new Error('the test bed is not running (npm run testbed -- up)');
      log(`testbed: running at ${bed.server}, kubeconfig ${relative(bed.kubeconfig)}, approver ${bed.approver ? 'on' : 'off'}`);
    });

  cli
    .command('user')
    .description('write a kubeconfig for USER (client certificate signed by the bed CA) and print its path')
    .argument('<user>', 'user name (certificate CN), for example system:serviceaccount:ns:name or alice')
    .option('-g, --group <group>', 'group (certificate O); repeat for several', (g: string, all: string[]) => [...all, g], [])
    .option('-o, --out <file>', 'where to write the kubeconfig (default .testbed/users/<user>.kubeconfig)')
    .action(async (user: string, opts: { group: string[]; out?: string }) => {
      log(relative(await userKubeconfig(user, opts.group, opts.out)));
    });

  cli
    .command('helm')
    .description("run the bed's helm (built from helm.sh/helm/v3) against the running bed, e.g. npm run testbed -- helm list -A")
    .argument('[args...]', 'helm arguments')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (args: string[]) => {
      const running = await status();
      if (!running) throw new Error('the test bed is not running (npm run testbed -- up)');
      const child = spawn(binaryPath('helm'), ['--kubeconfig', running.kubeconfig, ...args], { stdio: 'inherit' });
      const code = await new Promise<number>((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', (c) => resolve(c ?? 1));
      });
      process.exitCode = code;
    });

  cli.addHelpText('after', `\nFiles: binaries ${relative(layout.binDir)}, logs ${relative(layout.logsDir)}, kubeconfig ${relative(layout.kubeconfig)}`);
  return cli;
}

program()
  .parseAsync()
  .catch((err: unknown) => {
    console.error(`testbed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
