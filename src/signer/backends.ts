// Assembles the signers (one per backend, both reading Secrets through one source) and picks
// the one for an issuer's backend. `createSigners` is the only assembly: the operator passes its
// timed CMP transport, IssuerLoop's default and tests take the HTTP(S) one or their own. A
// test that needs a different signer builds its own SignerFactory.
import { CertServiceSigner } from './certservice/signer.js';
import { CmpSigner, type CmpTransportFactory } from './cmp/signer.js';
import type { IssuerView } from './issuerView.js';
import type { SecretSource } from './secretSource.js';
import type { Signer, SignerFactory } from './signer.js';

class BackendSigners implements SignerFactory {
  constructor(private readonly signers: { cmp: Signer; certService: Signer }) {}

  /** @deprecated Use `createSigners({ secrets })`; kept until src/controllers/issuerLoop.ts calls it. */
  forIssuer(issuer: IssuerView): Signer {
    return issuer.spec.backend === 'cmp' ? this.signers.cmp : this.signers.certService;
  }
}

export interface CreateSignersOptions {
  secrets: SecretSource;
  /** The CMP transport per issuer endpoint; default HTTP(S). */
  cmpTransport?: CmpTransportFactory;
}

/** Both backends over one Secret source: what the operator, IssuerLoop's default and the tests run with. */
export function createSigners(options: CreateSignersOptions): SignerFactory {
  return new BackendSigners({
    cmp: new CmpSigner({ secrets: options.secrets, transport: options.cmpTransport }),
    certService: new CertServiceSigner({ secrets: options.secrets }),
  });
}
