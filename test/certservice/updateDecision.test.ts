// The update endpoint's decision: kur when the CSR repeats the old certificate's subject and SANs
// (order of SANs and case of values aside), cr when either differs.
import assert from 'node:assert/strict';
import { parseCsr } from '../../src/cmp/csr.js';
import { updateKind } from '../../src/certservice/updateDecision.js';
import { makeCertificate, makeCsr, makeKey } from '../cmp/fixtures.js';
import * as pkijs from 'pkijs';

describe('certservice update decision (kur vs cr)', () => {
  const caKey = makeKey('ec');
  const ca = makeCertificate({ subject: 'CN=CA', key: caKey, ca: true });
  const oldKey = makeKey('ec');

  /** An old certificate with the subject and DNS SANs given. */
  function oldCertificate(subject: string, dns: string[]): Uint8Array {
    const der = makeCertificate({ subject, key: oldKey, issuer: { certificate: ca, key: caKey } });
    if (!dns.length) return der;
    // makeCertificate has no DNS option: the SAN is added through pkijs (the decision reads, never verifies).
    const cert = pkijs.Certificate.fromBER(der);
    const names = dns.map((value) => new pkijs.GeneralName({ type: 2, value }));
    cert.extensions = [
      ...(cert.extensions ?? []),
      new pkijs.Extension({ extnID: '2.5.29.17', critical: false, extnValue: new pkijs.GeneralNames({ names }).toSchema().toBER(false) }),
    ];
    cert.tbsView = new Uint8Array(cert.encodeTBS().toBER(false));
    return new Uint8Array(cert.toSchema(true).toBER(false));
  }
  const csr = (subject: string, dns: string[]) => parseCsr(makeCsr({ subject, key: makeKey('ec'), dns }));

  it('same subject and SANs (SAN order and value case aside) → kur', () => {
    const old = oldCertificate('CN=web.example,O=ONAP', ['a.example', 'b.example']);
    assert.equal(updateKind(csr('CN=web.example,O=ONAP', ['b.example', 'a.example']), old), 'kur');
    assert.equal(updateKind(csr('CN=WEB.example,O=onap', ['a.example', 'b.example']), old), 'kur');
  });

  it('a different subject, an added or removed SAN → cr', () => {
    const old = oldCertificate('CN=web.example,O=ONAP', ['a.example']);
    assert.equal(updateKind(csr('CN=other.example,O=ONAP', ['a.example']), old), 'cr');
    assert.equal(updateKind(csr('O=ONAP,CN=web.example', ['a.example']), old), 'cr', 'RDN order counts');
    assert.equal(updateKind(csr('CN=web.example,O=ONAP', ['a.example', 'c.example']), old), 'cr');
    assert.equal(updateKind(csr('CN=web.example,O=ONAP', []), old), 'cr');
  });

  it('no SANs on either side, same subject → kur', () => {
    assert.equal(updateKind(csr('CN=plain', []), oldCertificate('CN=plain', [])), 'kur');
  });
});
