// The one issuer view both controllers build: kind passed in, namespace only for the namespaced
// kind, Secrets from the issuer's namespace or the cluster resource namespace.
import assert from 'node:assert/strict';
import { parseIssuerSpec, type CMPv2Issuer } from '../../src/api/cmpv2Issuer.js';
import { issuerSecretsNamespace, issuerView } from '../../src/signer/issuerView.js';

describe('signer/issuerView', () => {
  const parsed = parseIssuerSpec({
    cmp: { url: 'http://ca.invalid/.well-known/cmp', protection: { passwordBasedMac: { secretRef: { name: 'iak', key: 'password' }, reference: 'rv' } } },
  });
  if (!parsed.ok) throw new Error(parsed.error);
  const spec = parsed.value;
  const issuer = (namespace?: string, generation?: number): CMPv2Issuer => ({ metadata: { name: 'ca', namespace, generation }, spec: {} }) as CMPv2Issuer;

  it('CMPv2Issuer: its namespace, Secrets there', () => {
    assert.deepEqual(issuerView({ issuer: issuer('apps', 3), kind: 'CMPv2Issuer', spec, clusterResourceNamespace: 'cert-manager' }), {
      kind: 'CMPv2Issuer',
      name: 'ca',
      namespace: 'apps',
      secretsNamespace: 'apps',
      generation: 3,
      spec,
    });
  });

  it('ClusterCMPv2Issuer: no namespace, Secrets in the cluster resource namespace; generation 0 when unset', () => {
    const view = issuerView({ issuer: issuer(), kind: 'ClusterCMPv2Issuer', spec, clusterResourceNamespace: 'cert-manager' });
    assert.deepEqual([view.namespace, view.secretsNamespace, view.generation], [undefined, 'cert-manager', 0]);
    assert.equal(issuerSecretsNamespace('CMPv2Issuer', issuer(), 'cert-manager'), '');
  });
});
