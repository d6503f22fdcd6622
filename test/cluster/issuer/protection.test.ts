// Issue 5 Proof on the bed, a table over a few Certificates: signature protection (with
// responseTrust) and PBM, CMPv2Issuer and ClusterCMPv2Issuer (its Secrets in the cluster
// resource namespace, not the Certificate's), p10cr / ir / cr, RSA and ECDSA keys made by the
// real cert-manager. Each becomes Ready with both roots of the development CA in ca.crt.
//
// Two development CAs share one CA (same state directory): one accepts only signature-protected
// requests (no shared secret at all), the other PBM. The RA certificate signing the requests was
// enrolled from the PBM one, so a Ready certificate from the first proves the signature path.
import type { RunningIssuerLoop } from '../../controllers/loops.js';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CmpClient } from '../../../src/cmp/client.js';
import { buildCsr } from '../../../src/cmp/csr.js';
import { parseDistinguishedName } from '../../../src/cmp/names.js';
import { startDevelopmentCa, type DevelopmentCa } from '../../../src/cmp/server/index.js';
import type { KubeApi } from '../../../src/k8s/apiClient.js';
import { toPem } from '../../../src/pki/pem.js';
import { useNamespace } from '../bed.js';
import { certificateManifest, derBase64, issuerTestApi, pbmCmpSpec, readTlsSecret, readyCertificate, startIssuerLoop } from './support.js';

/** The bed's cert-manager and our loop use kube-system as the cluster resource namespace. */
const CLUSTER_RESOURCE_NAMESPACE = 'kube-system';

interface Row {
  kind: 'CMPv2Issuer' | 'ClusterCMPv2Issuer';
  protection: 'signature' | 'pbm';
  messageType: 'p10cr' | 'ir' | 'cr';
  key: { algorithm: 'RSA' | 'ECDSA'; size: number };
}

const rows: Row[] = [
  { kind: 'CMPv2Issuer', protection: 'signature', messageType: 'cr', key: { algorithm: 'RSA', size: 2048 } },
  { kind: 'ClusterCMPv2Issuer', protection: 'signature', messageType: 'p10cr', key: { algorithm: 'ECDSA', size: 256 } },
  { kind: 'ClusterCMPv2Issuer', protection: 'pbm', messageType: 'cr', key: { algorithm: 'ECDSA', size: 384 } },
  { kind: 'CMPv2Issuer', protection: 'pbm', messageType: 'ir', key: { algorithm: 'RSA', size: 2048 } },
];

describe('issuer loop: signature protection, ClusterCMPv2Issuer, cr, RSA and ECDSA (development CA over HTTP)', function () {
  const ns = useNamespace('issuer-prot');
  let api: KubeApi;
  let stateDir: string;
  let signatureCa: DevelopmentCa;
  let pbmCa: DevelopmentCa;
  let ra: { certPem: string; keyPem: string };
  let loop: RunningIssuerLoop | undefined;

  before(async function () {
    api = await issuerTestApi();
    stateDir = mkdtempSync(path.join(tmpdir(), 'issuer-prot-ca-'));
    pbmCa = await startDevelopmentCa({ port: 0, secret: 'iak-secret', reference: 'rv-1', stateDir });
    signatureCa = await startDevelopmentCa({ port: 0, stateDir });
    assert.equal(derBase64(signatureCa.roots[0]), derBase64(pbmCa.roots[0]), 'one CA behind both endpoints');
    // The RA certificate: an ir with PBM to the CA, in-process.
    const raKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const client = new CmpClient({
      transport: { send: (request) => pbmCa.handle(request) },
      protection: { type: 'pbm', secret: new TextEncoder().encode('iak-secret'), reference: new TextEncoder().encode('rv-1') },
    });
    const csr = buildCsr({ key: raKey.privateKey, subject: parseDistinguishedName('CN=cmpv2-operator RA,O=cluster tests') });
    const enrolled = await client.enroll({ type: 'ir', csr, privateKey: raKey.privateKey });
    ra = {
      certPem: [enrolled.certificate, ...enrolled.chain.slice(1)].map((der) => toPem('CERTIFICATE', der)).join(''),
      keyPem: raKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  });
  after(async function () {
    await signatureCa?.stop();
    await pbmCa?.stop();
    api?.close();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });
  afterEach(async function () {
    await loop?.shutdown();
    loop = undefined;
  });

  /** The issuer of `row` and its Secrets (in the cluster resource namespace for the cluster kind). */
  async function issuer(row: Row, namespace: string, base: string): Promise<{ kind: Row['kind']; name: string }> {
    const secretNamespace = row.kind === 'ClusterCMPv2Issuer' ? CLUSTER_RESOURCE_NAMESPACE : namespace;
    const prefix = `${namespace}-${base}-`; // unique in kube-system, removed by the namespace's cleanup
    const secret = async (name: string, stringData: Record<string, string>, type = 'Opaque') =>
      ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: prefix + name, namespace: secretNamespace }, type, stringData });
    let spec: { cmp: Record<string, unknown> };
    if (row.protection === 'signature') {
      await secret('cmp-ra', { 'tls.crt': ra.certPem, 'tls.key': ra.keyPem }, 'kubernetes.io/tls');
      await secret('cmp-server-ca', { 'ca.crt': signatureCa.rootsPem });
      spec = {
        cmp: {
          url: signatureCa.url,
          messageType: row.messageType,
          protection: { signature: { secretRef: { name: `${prefix}cmp-ra` } } },
          responseTrust: { caBundleSecretRef: { name: `${prefix}cmp-server-ca`, key: 'ca.crt' } },
        },
      };
    } else {
      await secret('cmp-iak', { password: 'iak-secret' });
      spec = pbmCmpSpec(pbmCa.url!, `${prefix}cmp-iak`, 'rv-1', { messageType: row.messageType });
    }
    const name = row.kind === 'ClusterCMPv2Issuer' ? `${namespace}-${base}` : base;
    await ns().create({ apiVersion: 'certmanager.onap.org/v1', kind: row.kind, metadata: { name }, spec });
    return { kind: row.kind, name };
  }

  // One namespace and one loop for the whole table: the rows are issued side by side.
  it('every row becomes Ready with both roots of the CA that signed it', async function () {
    const { name: namespace } = ns();
    const sentBefore = rows.map((row) => (row.protection === 'signature' ? signatureCa : pbmCa).stats.requests.get(row.messageType) ?? 0);
    const names = rows.map((row, i) => `web-${i}-${row.protection}-${row.messageType}`);
    for (const [i, row] of rows.entries()) {
      await ns().create(certificateManifest(names[i], await issuer(row, namespace, `dev-ca-${i}`), row.key));
    }
    loop = await startIssuerLoop(api, namespace, CLUSTER_RESOURCE_NAMESPACE);
    for (const [i, row] of rows.entries()) {
      const label = `${row.kind}, ${row.protection}, ${row.messageType}, ${row.key.algorithm}-${row.key.size}`;
      const ca = row.protection === 'signature' ? signatureCa : pbmCa;
      await readyCertificate(api, namespace, names[i]);
      const { leaf, rootsBase64, keyMatches } = await readTlsSecret(api, namespace, `${names[i]}-tls`);
      assert.ok(keyMatches, `${label}: tls.crt is for tls.key`);
      assert.equal(leaf.publicKey.asymmetricKeyType, row.key.algorithm === 'RSA' ? 'rsa' : 'ec', label);
      if (row.key.algorithm === 'RSA') assert.equal(leaf.publicKey.asymmetricKeyDetails?.modulusLength, row.key.size, label);
      else assert.equal(leaf.publicKey.asymmetricKeyDetails?.namedCurve, row.key.size === 256 ? 'prime256v1' : 'secp384r1', label);
      assert.match(leaf.subjectAltName ?? '', new RegExp(`DNS:${names[i]}\\.apps\\.svc`), label);
      assert.ok(leaf.checkIssued(new X509Certificate(ca.intermediate)), `${label}: issued by the development CA`);
      assert.deepEqual(rootsBase64, ca.roots.map(derBase64), `${label}: both roots in ca.crt`);
    }
    // Each row sent exactly one request of its type to the endpoint of its protection.
    const sent = new Map<string, number>();
    for (const [i, row] of rows.entries()) {
      const key = `${row.protection}/${row.messageType}`;
      sent.set(key, (sent.get(key) ?? sentBefore[i]) + 1);
    }
    for (const [key, expected] of sent) {
      const [protection, messageType] = key.split('/');
      assert.equal((protection === 'signature' ? signatureCa : pbmCa).stats.requests.get(messageType), expected, `${key} requests at the CA`);
    }
  });
});
