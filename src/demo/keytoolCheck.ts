// Lists a store with the JDK's keytool, when one is installed: an independent reader of the
// stores the demo wrote. The password is passed by file, never on the command line.
import { execFile } from 'node:child_process';

export interface KeytoolListing {
  /** Entry kinds keytool reports, in its order: PrivateKeyEntry, trustedCertEntry, … */
  entries: string[];
}

/** undefined when keytool is not installed; throws when keytool cannot read the store. */
export function keytoolList(store: string, passwordFile: string, storeType: 'JKS' | 'PKCS12'): Promise<KeytoolListing | undefined> {
  return new Promise((resolve, reject) => {
    execFile(
      'keytool',
      ['-list', '-keystore', store, '-storetype', storeType, '-storepass:file', passwordFile],
      { timeout: 60_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          resolve(undefined);
          return;
        }
        if (error) {
          reject(new Error(`keytool cannot read ${store}: ${(stderr || stdout).trim().split('\n')[0]}`));
          return;
        }
        const entries = [...stdout.matchAll(/^[^,\n]+,[^\n]*?, (PrivateKeyEntry|trustedCertEntry|SecretKeyEntry),\s*$/gm)].map((m) => m[1]);
        resolve({ entries });
      },
    );
  });
}
