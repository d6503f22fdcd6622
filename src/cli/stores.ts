// `cmpv2-operator stores`: the offline keystore builder (SPEC §5). Parses flags, reads the
// input files, and calls the keystore library; every file is built in memory before any is
// written, so bad input writes nothing.
import { Command } from 'commander';
import {
  buildStoreFiles,
  generatePassword,
  parseTlsSecret,
  PKCS12_PROFILES,
  storeFileNames,
  validateStoreSettings,
  writeStoreDirectory,
} from '../keystore/index.js';
import { readInputText, readPassword } from './inputs.js';

interface StoresOptions {
  cert?: string;
  key?: string;
  ca: string[];
  fromSecret?: string;
  formats: string;
  password?: string;
  passwordFile?: string;
  truststorePassword?: string;
  truststorePasswordFile?: string;
  alias: string;
  pkcs12Profile: string;
  out: string;
}

export function registerStoresCommand(program: Command): void {
  program
    .command('stores')
    .description('build Java keystores and truststores (JKS, PKCS#12, PEM) from a certificate, its key and CA bundles')
    .option('--cert <file>', 'certificate chain PEM, leaf first (tls.crt)')
    .option('--key <file>', 'private key PEM: PKCS#1, PKCS#8 or SEC1; RSA, EC P-256/384/521 or Ed25519 (tls.key)')
    .option(
      '--ca <file>',
      'trusted CA bundle PEM (ca.crt); repeatable, merged in order, duplicates removed',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      '--from-secret <file>',
      'read tls.crt, tls.key and ca.crt from a Secret as `kubectl get secret -o yaml` prints it (instead of --cert/--key; --ca adds bundles after its ca.crt)',
    )
    .option('--formats <list>', 'comma list of jks, pkcs12, pem', 'jks,pkcs12,pem')
    .option('--password <password>', 'keystore password (default: a generated 24-character password, written to keystore.pass)')
    .option('--password-file <file>', 'read the keystore password from a file (one trailing newline is dropped)')
    .option('--truststore-password <password>', 'truststore password (default: the keystore password)')
    .option('--truststore-password-file <file>', 'read the truststore password from a file')
    .option('--alias <alias>', 'alias of the private key entry (case kept in PKCS#12; JKS stores it lower-cased as Java does)', 'certificate')
    .option('--pkcs12-profile <profile>', `PKCS#12 encryption: ${PKCS12_PROFILES.join(', ')}`, 'Modern2023')
    .requiredOption('--out <dir>', 'directory to write the files into (created if missing)')
    .action(async (options: StoresOptions) => {
      if (options.fromSecret !== undefined && (options.cert !== undefined || options.key !== undefined)) {
        throw new Error('give either --from-secret or --cert and --key, not both');
      }
      if (options.fromSecret === undefined && (options.cert === undefined || options.key === undefined)) {
        throw new Error('give --cert and --key (or --from-secret)');
      }
      const secret = options.fromSecret !== undefined ? parseTlsSecret(readInputText(options.fromSecret, 'the Secret file')) : undefined;
      const tlsCrt = secret?.tlsCrt ?? readInputText(options.cert!, 'the certificate file');
      const tlsKey = secret?.tlsKey ?? readInputText(options.key!, 'the key file');
      const trustSources = options.ca.map((path) => ({ name: path, pem: readInputText(path, 'the CA file') }));
      const formats = options.formats
        .split(',')
        .map((f) => f.trim())
        .filter((f) => f.length > 0);
      const given = readPassword(options.password, options.passwordFile, 'password');
      const truststorePassword = readPassword(options.truststorePassword, options.truststorePasswordFile, 'truststore-password');
      const settings = validateStoreSettings({
        formats,
        keystorePassword: given ?? generatePassword(),
        truststorePassword,
        alias: options.alias,
        pkcs12Profile: options.pkcs12Profile,
      });
      const built = await buildStoreFiles({ tlsCrt, tlsKey, caCrt: secret?.caCrt, trustSources }, settings);
      for (const warning of built.warnings) process.stderr.write(`warning: ${warning}\n`);
      const files = Object.fromEntries(storeFileNames(settings.formats).map((name) => [name, built.files[name]!]));
      const written = writeStoreDirectory(options.out, files);
      const generated = given === undefined && settings.formats.some((f) => f !== 'pem') ? ' (generated password in keystore.pass)' : '';
      process.stdout.write(
        `wrote ${written.length} files to ${options.out}: key entry '${settings.alias}' with a chain of ${built.chainLength}, ${built.trustedCount} trusted CA${built.trustedCount === 1 ? '' : 's'}${generated}\n`,
      );
    });
}
