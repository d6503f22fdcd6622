// createSigners: both backends over one Secret source, each issuer routed to its backend's
// signer, the CMP transport the caller gives used for CMP issuers.
import assert from 'node:assert/strict';
import { parseIssuerSpec } from '../../src/api/cmpv2Issuer.js';
import { CmpTransportError } from '../../src/cmp/errors.js';
import { createSigners } from '../../src/signer/backends.js';
import { CertServiceSigner } from '../../src/signer/certservice/signer.js';
import { CmpSigner } from '../../src/signer/cmp/signer.js';
import type { IssuerView } from '../../src/signer/issuerView.js';
import type { SecretSource } from '../../src/signer/secretSource.js';

const secrets: SecretSource = {
  readSecret: async () => ({ password: Buffer.from('iak') }),
  certificateSecretName: async () => undefined,
};

function view(spec: Record<string, unknown>): IssuerView {
  const parsed = parseIssuerSpec(spec);
  if (!parsed.ok) throw new Error(parsed.error);
  return { kind: 'CMPv2Issuer', name: 'ca', namespace: 'apps', secretsNamespace: 'apps', generation: 1, spec: parsed.value };
}

describe('signer/backends', () => {
  const cmp = view({
    cmp: { url: 'http://ca.invalid/.well-known/cmp', protection: { passwordBasedMac: { secretRef: { name: 'iak', key: 'password' }, reference: 'rv' } } },
  });
  const certService = view({
    url: 'https://cs.invalid',
    healthEndpoint: 'actuator/health',
    certEndpoint: 'v1/certificate',
    caName: 'RA',
    certSecretRef: { name: 'cs', certRef: 'tls.crt', keyRef: 'tls.key', cacertRef: 'ca.crt' },
  });

  it('routes each issuer to its backend', () => {
    const signers = createSigners({ secrets });
    assert.ok(signers.forIssuer(cmp) instanceof CmpSigner);
    assert.ok(signers.forIssuer(certService) instanceof CertServiceSigner);
  });

  it('the CMP signer uses the given transport', async () => {
    const urls: string[] = [];
    const signers = createSigners({
      secrets,
      cmpTransport: (options) => {
        urls.push(options.url);
        return { send: async () => Promise.reject(new CmpTransportError('not today')) };
      },
    });
    await assert.rejects(signers.forIssuer(cmp).check(cmp), /cannot reach the CMP server: not today/);
    assert.deepEqual(urls, ['http://ca.invalid/.well-known/cmp']);
  });
});
