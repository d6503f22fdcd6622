// Picks the signer for an issuer's backend: native CMP, or CertService when one is wired in.
import { PermanentError } from './permanentError.js';
import type { IssuerView, Signer, SignerFactory } from './signer.js';

export class BackendSigners implements SignerFactory {
  constructor(private readonly signers: { cmp: Signer; certService?: Signer }) {}

  forIssuer(issuer: IssuerView): Signer {
    if (issuer.spec.backend === 'cmp') return this.signers.cmp;
    if (this.signers.certService) return this.signers.certService;
    // Permanent: the issuer shows Failed until a build with CertService runs.
    const unavailable = new PermanentError(`${issuer.kind} ${issuer.name} uses the CertService backend, which this build does not provide yet`);
    return {
      sign: () => Promise.reject(unavailable),
      check: () => Promise.reject(unavailable),
    };
  }
}
