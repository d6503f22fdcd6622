// Picks the signer for an issuer's backend: native CMP or ONAP CertService.
import { CertServiceSigner } from './certServiceSigner.js';
import { CmpSigner } from './cmpSigner.js';
import { PermanentError } from './permanentError.js';
import type { SecretSource } from './secretSource.js';
import type { IssuerView, Signer, SignerFactory } from './signer.js';

export class BackendSigners implements SignerFactory {
  constructor(private readonly signers: { cmp: Signer; certService?: Signer }) {}

  /** Both backends reading Secrets through one source: what the operator runs with. */
  static fromSecrets(secrets: SecretSource): BackendSigners {
    return new BackendSigners({ cmp: new CmpSigner({ secrets }), certService: new CertServiceSigner({ secrets }) });
  }

  forIssuer(issuer: IssuerView): Signer {
    if (issuer.spec.backend === 'cmp') return this.signers.cmp;
    if (this.signers.certService) return this.signers.certService;
    // Only a factory assembled by hand with the CMP signer alone (tests) gets here.
    const unavailable = new PermanentError(`${issuer.kind} ${issuer.name} uses the CertService backend, but this signer factory was built without a CertService signer (use BackendSigners.fromSecrets)`);
    return {
      sign: () => Promise.reject(unavailable),
      check: () => Promise.reject(unavailable),
    };
  }
}
