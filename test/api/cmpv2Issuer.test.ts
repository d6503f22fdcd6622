import assert from 'node:assert/strict';
import { parseIssuerSpec, referencedSecrets } from '../../src/api/cmpv2Issuer.js';
import { cmpSpec, onapCertServiceSpec } from '../controllers/fixtures.js';

describe('k8s/types/cmpv2Issuer (spec validation, SPEC §2)', () => {
  it('accepts an ONAP cmpv2-cert-provider manifest unchanged as the CertService backend', () => {
    const parsed = parseIssuerSpec(onapCertServiceSpec);
    assert.ok(parsed.ok);
    if (!parsed.ok) return;
    assert.deepEqual(parsed.value, { backend: 'certService', certService: onapCertServiceSpec });
  });

  it('fills the CMP defaults: p10cr, kur, implicitConfirm, 30s', () => {
    const parsed = parseIssuerSpec(cmpSpec);
    assert.ok(parsed.ok);
    if (!parsed.ok || parsed.value.backend !== 'cmp') return;
    const { messageType, renewal, implicitConfirm, timeout } = parsed.value.cmp;
    assert.deepEqual({ messageType, renewal, implicitConfirm, timeout }, { messageType: 'p10cr', renewal: 'kur', implicitConfirm: true, timeout: '30s' });
  });

  it('accepts the full example of SPEC §2', () => {
    const parsed = parseIssuerSpec({
      cmp: {
        url: 'https://ca.example.org/.well-known/cmp/p/RA',
        recipient: 'CN=ManagementCA,O=Example',
        messageType: 'ir',
        renewal: 'initial',
        protection: { signature: { secretRef: { name: 'cmp-ra-cert' } } },
        responseTrust: { caBundleSecretRef: { name: 'cmp-server-ca', key: 'ca.crt' } },
        tls: { caBundleSecretRef: { name: 'cmp-server-tls-ca', key: 'ca.crt' }, clientCertSecretRef: { name: 'cmp-client-tls' } },
        implicitConfirm: false,
        timeout: '1m30s',
      },
    });
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    if (!parsed.ok) return;
    assert.deepEqual(
      referencedSecrets(parsed.value).map((r) => `${r.name}:${r.keys.join('+')}`),
      ['cmp-ra-cert:tls.crt+tls.key', 'cmp-server-ca:ca.crt', 'cmp-server-tls-ca:ca.crt', 'cmp-client-tls:tls.crt+tls.key'],
    );
  });

  it('PBM with a sender and no reference is accepted; trustExtraCertsRoots defaults to false', () => {
    const parsed = parseIssuerSpec({ cmp: { url: 'http://x', sender: 'CN=ra', protection: { passwordBasedMac: { secretRef: { name: 'iak', key: 'k' } } } } });
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    if (!parsed.ok || parsed.value.backend !== 'cmp') return;
    assert.equal(parsed.value.cmp.sender, 'CN=ra');
    assert.equal(parsed.value.cmp.trustExtraCertsRoots, false);
  });

  const bad: [string, unknown, RegExp][] = [
    ['both backends', { ...cmpSpec, url: 'https://x' }, /both/],
    ['neither backend', { caNameTypo: 'x' }, /no backend/],
    ['not an object', 'cmp', /must be an object/],
    [
      'two protections',
      { cmp: { ...cmpSpec.cmp, protection: { ...cmpSpec.cmp.protection, signature: { secretRef: { name: 's' } } } } },
      /exactly one of passwordBasedMac or signature/,
    ],
    ['no protection', { cmp: { url: 'http://x' } }, /spec\.cmp\.protection/],
    [
      'reference twice',
      {
        cmp: {
          ...cmpSpec.cmp,
          protection: { passwordBasedMac: { secretRef: { name: 'a', key: 'k' }, reference: 'r', referenceSecretRef: { name: 'b', key: 'k' } } },
        },
      },
      /not both/,
    ],
    ['bad timeout', { cmp: { ...cmpSpec.cmp, timeout: 'soon' } }, /spec\.cmp\.timeout: must be a positive duration/],
    ['CertService without caName', { ...onapCertServiceSpec, caName: undefined }, /spec\.caName/],
    [
      'a Secret key reference without key (the CRD requires it)',
      { cmp: { ...cmpSpec.cmp, protection: { passwordBasedMac: { secretRef: { name: 'iak' } } } } },
      /secretRef\.key/,
    ],
    [
      'PBM without reference and without sender (no identity, RFC 9810 §5.1.1)',
      { cmp: { url: 'http://x', protection: { passwordBasedMac: { secretRef: { name: 'iak', key: 'k' } } } } },
      /spec\.cmp: passwordBasedMac needs an identity: set protection\.passwordBasedMac\.reference \(or referenceSecretRef\), sent as senderKID, or spec\.cmp\.sender/,
    ],
    ['certSecretRef without cacertRef', { ...onapCertServiceSpec, certSecretRef: { name: 'x', certRef: 'a', keyRef: 'b' } }, /spec\.certSecretRef\.cacertRef/],
  ];
  for (const [name, spec, message] of bad) {
    it(`rejects ${name}`, () => {
      const parsed = parseIssuerSpec(spec);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(parsed.error, message);
    });
  }
});
