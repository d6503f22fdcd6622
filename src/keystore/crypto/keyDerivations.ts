// Key derivations of one store build, done at most once each. A Modern2023 keystore and
// truststore under one password share one PBES2 salt and one MAC salt, so a full store set needs
// one PBKDF2 and one PKCS#12-KDF run instead of five. Sharing is safe where the format adds its
// own randomness: PBES2 draws a fresh IV for every encryption. The legacy pbeWithSHAAnd… ciphers
// derive their IV from the salt, so they get a fresh salt each time (see `freshSalt`).
//
// Writers derive asynchronously: PBKDF2 runs on libuv's thread pool (node's `crypto.pbkdf2`), so
// many builds at once use every core instead of blocking the event loop. The PKCS#12 KDF has no
// node primitive; it runs on the calling thread (0.9 ms for the SHA-256 MAC key, measured in
// docs/benchmarks.md) behind the same asynchronous interface. Readers stay synchronous.
import { pbkdf2, pbkdf2Sync, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { pkcs12Kdf, type Pkcs12Hash, type Pkcs12KdfPurpose } from './pkcs12Kdf.js';

export const SALT_LENGTH = 16;

const pbkdf2Pool = promisify(pbkdf2);

/** A cap on the iterations all derivations of one object may run (a reader's defence against a small file that asks for hours of work). */
export interface DerivationBudget {
  maxIterations: number;
  /** The error to throw when a derivation would pass the cap. */
  exceeded: (asked: number, spent: number) => Error;
}

const pbkdf2Id = (password: string, salt: Buffer, iterations: number, length: number, prf: string): string =>
  `pbkdf2\u0000${prf}\u0000${iterations}\u0000${length}\u0000${salt.toString('hex')}\u0000${password}`;

const pkcs12Id = (algorithm: Pkcs12Hash, password: string, salt: Buffer, purpose: Pkcs12KdfPurpose, iterations: number, length: number): string =>
  `pkcs12\u0000${algorithm}\u0000${purpose}\u0000${iterations}\u0000${length}\u0000${salt.toString('hex')}\u0000${password}`;

export class KeyDerivations {
  private readonly salts = new Map<string, Buffer>();
  private readonly keys = new Map<string, Buffer>();
  private readonly pending = new Map<string, Promise<Buffer>>();
  private spent = 0;

  constructor(private readonly budget?: DerivationBudget) {}

  /** The salt this build uses for `purpose` under `password`, drawn once. */
  sharedSalt(purpose: 'pbes2' | 'mac', password: string): Buffer {
    const id = `${purpose}\u0000${password}`;
    let salt = this.salts.get(id);
    if (!salt) {
      salt = randomBytes(SALT_LENGTH);
      this.salts.set(id, salt);
    }
    return salt;
  }

  freshSalt(): Buffer {
    return randomBytes(SALT_LENGTH);
  }

  /** PBKDF2 with HMAC-`prf`, memoised on every parameter, on the calling thread (readers). */
  pbkdf2(password: string, salt: Buffer, iterations: number, length: number, prf: string): Buffer {
    return this.memo(pbkdf2Id(password, salt, iterations, length, prf), iterations, () =>
      pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, length, prf),
    );
  }

  /** The PKCS#12 KDF, memoised on every parameter, on the calling thread (readers). */
  pkcs12(algorithm: Pkcs12Hash, password: string, salt: Buffer, purpose: Pkcs12KdfPurpose, iterations: number, length: number): Buffer {
    return this.memo(pkcs12Id(algorithm, password, salt, purpose, iterations, length), iterations, () =>
      pkcs12Kdf(algorithm, password, salt, purpose, iterations, length),
    );
  }

  /** PBKDF2 with HMAC-`prf` on libuv's thread pool, memoised on every parameter (writers). */
  pbkdf2Async(password: string, salt: Buffer, iterations: number, length: number, prf: string): Promise<Buffer> {
    return this.memoAsync(pbkdf2Id(password, salt, iterations, length, prf), iterations, () =>
      pbkdf2Pool(Buffer.from(password, 'utf8'), salt, iterations, length, prf),
    );
  }

  /** The PKCS#12 KDF behind a promise, memoised on every parameter (writers); see the header for where it runs. */
  pkcs12Async(algorithm: Pkcs12Hash, password: string, salt: Buffer, purpose: Pkcs12KdfPurpose, iterations: number, length: number): Promise<Buffer> {
    return this.memoAsync(pkcs12Id(algorithm, password, salt, purpose, iterations, length), iterations, async () =>
      pkcs12Kdf(algorithm, password, salt, purpose, iterations, length),
    );
  }

  private charge(iterations: number): void {
    if (this.budget && this.spent + iterations > this.budget.maxIterations) throw this.budget.exceeded(iterations, this.spent);
    this.spent += iterations;
  }

  private memo(id: string, iterations: number, derive: () => Buffer): Buffer {
    let key = this.keys.get(id);
    if (!key) {
      this.charge(iterations);
      key = derive();
      this.keys.set(id, key);
    }
    return key;
  }

  /** Concurrent asks for one key share one derivation. */
  private memoAsync(id: string, iterations: number, derive: () => Promise<Buffer>): Promise<Buffer> {
    let key = this.pending.get(id);
    if (!key) {
      try {
        this.charge(iterations);
      } catch (err) {
        return Promise.reject(err);
      }
      key = derive();
      this.pending.set(id, key);
    }
    return key;
  }
}
