import { TRANSACTION_ANNOTATION } from '../../src/api/cmpv2Issuer.js';
import assert from 'node:assert/strict';
import { csrDer, InvalidRequestError, toRequestView } from '../../src/signer/requestView.js';
import { approved, certificateRequest, CSR_PEM, withAnnotation, withIssuerRef, withRequestText } from '../controllers/fixtures.js';

describe('signer/requestView', () => {
  const created = new Date('2030-01-01T00:00:00Z');

  it("decodes the CSR and reads cert-manager's annotations", () => {
    const view = toRequestView(
      certificateRequest(
        created,
        approved(),
        withAnnotation('cert-manager.io/certificate-revision', '2'),
        withAnnotation('cert-manager.io/private-key-secret-name', 'k'),
        withAnnotation('cert-manager.io/certificate-name', 'c'),
        withAnnotation(TRANSACTION_ANNOTATION, 'state'),
      ),
    );
    assert.equal(view.csrPem, CSR_PEM);
    assert.deepEqual(
      { rev: view.revision, key: view.privateKeySecretName, cert: view.certificateName, resume: view.resumeState, ns: view.namespace, name: view.name },
      { rev: 2, key: 'k', cert: 'c', resume: 'state', ns: 'apps', name: 'web-1' },
    );
    assert.deepEqual(view.issuerRef, { name: 'onap-ca', kind: 'CMPv2Issuer', group: 'certmanager.onap.org' });
  });

  it("csrDer: the DER bytes of the view's CSR, whichever label", () => {
    const der = Buffer.from(CSR_PEM.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
    assert.deepEqual(Buffer.from(csrDer(toRequestView(certificateRequest(created)).csrPem)), der);
    assert.deepEqual(Buffer.from(csrDer(CSR_PEM.replace(/CERTIFICATE REQUEST/g, 'NEW CERTIFICATE REQUEST'))), der);
  });

  it('accepts the old NEW CERTIFICATE REQUEST label and ignores a bad revision', () => {
    const text = CSR_PEM.replace(/CERTIFICATE REQUEST/g, 'NEW CERTIFICATE REQUEST');
    const view = toRequestView(certificateRequest(created, withRequestText(`junk\n${text}`), withAnnotation('cert-manager.io/certificate-revision', 'two')));
    assert.equal(view.csrPem, text);
    assert.equal(view.revision, undefined);
  });

  it('refuses a request it cannot sign', () => {
    assert.throws(() => toRequestView(certificateRequest(created, withRequestText('hello'))), InvalidRequestError);
    assert.throws(() => toRequestView(certificateRequest(created, withIssuerRef('', ''))), /issuerRef/);
    const empty = certificateRequest(created);
    empty.spec.request = '';
    assert.throws(() => toRequestView(empty), /empty/);
  });
});
