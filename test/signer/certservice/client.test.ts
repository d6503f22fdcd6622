// URL building and construction checks of the CertService REST client (the wire behaviour is
// tested against the double in signer.test.ts).
import assert from 'node:assert/strict';
import { CertServiceClient, endpointUrl } from '../../../src/signer/certservice/client.js';
import { CertServiceTransportError } from '../../../src/signer/certservice/errors.js';

describe('signer/certservice/client', function () {
  it('joins url, endpoint and caName with single slashes, as ONAP manifests write them', function () {
    assert.equal(endpointUrl('https://oom-cert-service:8443', 'v1/certificate', 'RA').toString(), 'https://oom-cert-service:8443/v1/certificate/RA');
    assert.equal(endpointUrl('https://oom-cert-service:8443/', '/v1/certificate/', 'RA').toString(), 'https://oom-cert-service:8443/v1/certificate/RA');
    assert.equal(endpointUrl('https://h:8443/prefix/', 'actuator/health').toString(), 'https://h:8443/prefix/actuator/health');
  });

  it('caName is one path segment, escaped', function () {
    assert.equal(endpointUrl('https://h', 'v1/certificate', 'my CA/x').pathname, '/v1/certificate/my%20CA%2Fx');
  });

  it('refuses http:// (CertService is mTLS only) and unusable client credentials, quoting no key', function () {
    assert.throws(() => new CertServiceClient({ url: 'http://h:8080', tlsCa: '', tlsCert: '', tlsKey: '' }), CertServiceTransportError);
    const key = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n';
    assert.throws(
      () => new CertServiceClient({ url: 'https://h', tlsCa: '', tlsCert: 'junk', tlsKey: key }),
      (err: unknown) => err instanceof CertServiceTransportError && !err.message.includes('c2VjcmV0'),
    );
  });
});
