// Key derivations of one store build, done at most once each. A Modern2023 keystore and
// truststore under one password share one PBES2 salt and one MAC salt, so a full store set needs
// one PBKDF2 and one PKCS#12-KDF run instead of five. Sharing is safe where the format adds its
// own randomness: PBES2 draws a fresh IV for every encryption. The legacy pbeWithSHAAnd… ciphers
// derive their IV from the salt, so they get a fresh salt each time (see `freshSalt`).
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { pkcs12Kdf, type Pkcs12Hash, type Pkcs12KdfPurpose } from './pkcs12Kdf.js';

export const SALT_LENGTH = 16;

/** A cap on the iterations all derivations of one object may run (a reader's defence against a small file that asks for hours of work). */
export interface DerivationBudget {
  maxIterations: number;
  /** The error to throw when a derivation would pass the cap. */
  exceeded: (asked: number, spent: number) => Error;
}

export class KeyDerivations {
  private readonly salts = new Map<string, Buffer>();
  private readonly keys = new Map<string, Buffer>();
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

  /** PBKDF2 with HMAC-`prf`, memoised on every parameter. */
  pbkdf2(password: string, salt: Buffer, iterations: number, length: number, prf: string): Buffer {
    const id = `pbkdf2\u0000${prf}\u0000${iterations}\u0000${length}\u0000${salt.toString('hex')}\u0000${password}`;
    return this.memo(id, iterations, () => pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, length, prf));
  }

  /** The PKCS#12 KDF, memoised on every parameter. */
  pkcs12(algorithm: Pkcs12Hash, password: string, salt: Buffer, purpose: Pkcs12KdfPurpose, iterations: number, length: number): Buffer {
    const id = `pkcs12\u0000${algorithm}\u0000${purpose}\u0000${iterations}\u0000${length}\u0000${salt.toString('hex')}\u0000${password}`;
    return this.memo(id, iterations, () => pkcs12Kdf(algorithm, password, salt, purpose, iterations, length));
  }

  private memo(id: string, iterations: number, derive: () => Buffer): Buffer {
    let key = this.keys.get(id);
    if (!key) {
      if (this.budget && this.spent + iterations > this.budget.maxIterations) throw this.budget.exceeded(iterations, this.spent);
      this.spent += iterations;
      key = derive();
      this.keys.set(id, key);
    }
    return key;
  }
}
