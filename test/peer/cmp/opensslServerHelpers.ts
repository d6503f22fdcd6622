// Runs `openssl cmp` as a mock CMP server (OpenSSL 3.0 apps/cmp.c) on a random port, with PEM files
// in a temporary directory; every process is killed and every file removed by `stop()`.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { toPem } from '../../../src/pki/pem.js';

export interface OpenSslServer {
  url: string;
  /** Everything the server printed so far. */
  log(): string;
  stop(): Promise<void>;
}

/** A temporary directory for PEM files. */
export class TempFiles {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'cmp-openssl-server-'));
  certs(name: string, ders: Uint8Array[]): string {
    const file = path.join(this.dir, name);
    writeFileSync(file, ders.map((d) => toPem('CERTIFICATE', d)).join(''));
    return file;
  }
  key(name: string, pkcs8Pem: string): string {
    const file = path.join(this.dir, name);
    writeFileSync(file, pkcs8Pem, { mode: 0o600 });
    return file;
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts `openssl cmp -port 0 <args>` and waits for the port it prints ("ACCEPT [::]:PORT"). */
export function startOpenSslServer(args: string[]): Promise<OpenSslServer> {
  // OpenSSL 3.0's -port takes no host: it binds every interface; we only ever connect to 127.0.0.1.
  const child: ChildProcess = spawn('openssl', ['cmp', '-port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    }
  };
  return new Promise<OpenSslServer>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`openssl cmp mock server did not start: ${output}`));
    }, 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ACCEPT \S*:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${match[1]}/pkix/`, log: () => output, stop });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`peer tier cannot run: 'openssl' is not usable (${err.message})`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`openssl cmp mock server exited (${code}): ${output}`));
    });
  });
}
