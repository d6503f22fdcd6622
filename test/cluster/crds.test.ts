// The project's CRDs (crds/) against the real API server: ONAP manifests validate unchanged,
// the SPEC §2 native CMP manifest validates, and bad specs are rejected with a clear message.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { applyCrdDirectory } from '../../scripts/testbed/apply.js';
import { layout } from '../../scripts/testbed/layout.js';
import { adminKubeConfig, rawRequest, useNamespace } from './bed.js';

const group = 'certmanager.onap.org';
const version = 'v1';

interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
}
interface Crd {
  spec: {
    scope: string;
    names: { kind: string };
    versions: { name: string; schema: { openAPIV3Schema: Schema }; additionalPrinterColumns: { name: string }[]; subresources: unknown }[];
  };
}

async function readCrd(file: string): Promise<Crd> {
  return parse(await fs.readFile(path.join(layout.projectCrdsDir, file), 'utf8')) as Crd;
}

/** Paths of schema fields that lack a description (top-level metadata may have none: the API server forbids it). */
function undescribed(schema: Schema, at = ''): string[] {
  const missing: string[] = [];
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const here = `${at}.${name}`;
    if (!child.description?.trim() && here !== '.metadata') missing.push(here);
    missing.push(...undescribed(child, here));
  }
  if (schema.items) {
    if (!schema.items.description?.trim()) missing.push(`${at}[]`);
    missing.push(...undescribed(schema.items, `${at}[]`));
  }
  return missing;
}

/** The ONAP manifest of SPEC §2, exactly as existing deployments have it. */
const onapSpec = {
  url: 'https://oom-cert-service:8443',
  healthEndpoint: 'actuator/health',
  certEndpoint: 'v1/certificate',
  updateEndpoint: 'v1/certificate-update',
  caName: 'RA',
  certSecretRef: { name: 'oom-cert-service-client-tls-secret', certRef: 'tls.crt', keyRef: 'tls.key', cacertRef: 'ca.crt' },
};

/** The native CMP manifest of SPEC §2. */
const cmpSpec = {
  cmp: {
    url: 'https://ca.example.org/.well-known/cmp/p/RA',
    recipient: 'CN=ManagementCA,O=Example',
    messageType: 'p10cr',
    renewal: 'kur',
    protection: { passwordBasedMac: { secretRef: { name: 'cmp-iak', key: 'password' }, reference: 'rv-value' } },
    responseTrust: { caBundleSecretRef: { name: 'cmp-server-ca', key: 'ca.crt' } },
    tls: { caBundleSecretRef: { name: 'cmp-server-tls-ca', key: 'ca.crt' }, clientCertSecretRef: { name: 'cmp-client-tls' } },
    implicitConfirm: true,
    timeout: '30s',
  },
};

async function post(kc: KubeConfig, namespace: string | undefined, kind: 'CMPv2Issuer' | 'ClusterCMPv2Issuer', name: string, spec: unknown) {
  const plural = kind === 'CMPv2Issuer' ? 'cmpv2issuers' : 'clustercmpv2issuers';
  const url = namespace ? `/apis/${group}/${version}/namespaces/${namespace}/${plural}` : `/apis/${group}/${version}/${plural}`;
  const res = await rawRequest(kc, 'POST', url, { apiVersion: `${group}/${version}`, kind, metadata: { name }, spec });
  return { status: res.status, body: res.body as { message?: string; spec?: unknown } };
}

describe('crds/', function () {
  describe('files', function () {
    it('describe every field (kubectl explain)', async function () {
      for (const file of ['certmanager.onap.org_cmpv2issuers.yaml', 'certmanager.onap.org_clustercmpv2issuers.yaml']) {
        const crd = await readCrd(file);
        assert.deepEqual(undescribed(crd.spec.versions[0].schema.openAPIV3Schema), [], file);
      }
    });

    it('give CMPv2Issuer and ClusterCMPv2Issuer the same spec and status schema', async function () {
      const ns = await readCrd('certmanager.onap.org_cmpv2issuers.yaml');
      const cluster = await readCrd('certmanager.onap.org_clustercmpv2issuers.yaml');
      assert.equal(ns.spec.scope, 'Namespaced');
      assert.equal(cluster.spec.scope, 'Cluster');
      const [a, b] = [ns.spec.versions[0], cluster.spec.versions[0]];
      assert.deepEqual(b.schema.openAPIV3Schema.properties, a.schema.openAPIV3Schema.properties);
      assert.deepEqual(b.additionalPrinterColumns, a.additionalPrinterColumns);
      assert.deepEqual(b.subresources, a.subresources);
    });
  });

  describe('on the API server', function () {
    const ns = useNamespace('crds');

    before(async function () {
      await applyCrdDirectory(await adminKubeConfig(), layout.projectCrdsDir);
    });

    it('accepts an existing ONAP CertService manifest unchanged', async function () {
      const { kc, name: namespace } = ns();
      const res = await post(kc, namespace, 'CMPv2Issuer', 'onap', onapSpec);
      assert.equal(res.status, 201, res.body.message);
      // Stored as given: no field pruned, none defaulted.
      assert.deepEqual(res.body.spec, onapSpec);
      // …also without the optional updateEndpoint, as the ONAP docs' example has it.
      const { updateEndpoint: _omitted, ...withoutUpdate } = onapSpec;
      assert.equal((await post(kc, namespace, 'CMPv2Issuer', 'onap-docs', withoutUpdate)).status, 201);
    });

    it('accepts the native CMP manifest of SPEC §2, namespaced and cluster-scoped', async function () {
      const { kc, name: namespace } = ns();
      const res = await post(kc, namespace, 'CMPv2Issuer', 'cmp', cmpSpec);
      assert.equal(res.status, 201, res.body.message);
      assert.deepEqual(res.body.spec, cmpSpec);

      const clusterName = `${namespace}-cmp`;
      ns().track({ apiVersion: `${group}/${version}`, kind: 'ClusterCMPv2Issuer', metadata: { name: clusterName } });
      const signature = { cmp: { url: 'http://ca.example.org/pkix/', protection: { signature: { secretRef: { name: 'ra' } } } } };
      const cluster = await post(kc, undefined, 'ClusterCMPv2Issuer', clusterName, signature);
      assert.equal(cluster.status, 201, cluster.body.message);
    });

    it('accepts a password-based MAC identified by spec.cmp.sender alone, and trustExtraCertsRoots', async function () {
      const spec = {
        cmp: {
          url: 'http://ca.example.org/pkix/',
          sender: 'CN=ra-operator,O=Example',
          trustExtraCertsRoots: true,
          protection: { passwordBasedMac: { secretRef: { name: 'cmp-iak', key: 'password' } } },
        },
      };
      const res = await post(ns().kc, ns().name, 'CMPv2Issuer', 'by-sender', spec);
      assert.equal(res.status, 201, res.body.message);
      assert.deepEqual(res.body.spec, spec);
    });

    const rejected: { what: string; spec: unknown; message: RegExp }[] = [
      { what: 'both backends', spec: { ...onapSpec, ...cmpSpec }, message: /exactly one backend per issuer/ },
      { what: 'neither backend', spec: {}, message: /no backend selected/ },
      { what: 'an incomplete CertService backend', spec: { url: onapSpec.url, caName: 'RA' }, message: /CertService backend needs url, healthEndpoint/ },
      {
        what: 'both protections',
        spec: { cmp: { ...cmpSpec.cmp, protection: { ...cmpSpec.cmp.protection, signature: { secretRef: { name: 'ra' } } } } },
        message: /exactly one of passwordBasedMac or signature/,
      },
      { what: 'no protection method', spec: { cmp: { ...cmpSpec.cmp, protection: {} } }, message: /exactly one of passwordBasedMac or signature/ },
      { what: 'an unknown messageType', spec: { cmp: { ...cmpSpec.cmp, messageType: 'kur' } }, message: /messageType: Unsupported value: "kur"/ },
      { what: 'an unknown renewal', spec: { cmp: { ...cmpSpec.cmp, renewal: 'reuse' } }, message: /renewal: Unsupported value: "reuse"/ },
      { what: 'a non-HTTP CMP url', spec: { cmp: { ...cmpSpec.cmp, url: 'ftp://ca' } }, message: /spec\.cmp\.url/ },
      { what: 'a malformed timeout', spec: { cmp: { ...cmpSpec.cmp, timeout: 'soon' } }, message: /spec\.cmp\.timeout/ },
      {
        what: 'reference and referenceSecretRef together',
        spec: {
          cmp: {
            ...cmpSpec.cmp,
            protection: { passwordBasedMac: { ...cmpSpec.cmp.protection.passwordBasedMac, referenceSecretRef: { name: 'rv', key: 'rv' } } },
          },
        },
        message: /reference or referenceSecretRef, not both/,
      },
      {
        what: 'a password-based MAC without reference and without sender (no identity, RFC 9810 §5.1.1)',
        spec: { cmp: { url: 'http://ca.example.org/pkix/', protection: { passwordBasedMac: { secretRef: { name: 'cmp-iak', key: 'password' } } } } },
        message:
          /passwordBasedMac needs an identity: set protection\.passwordBasedMac\.reference \(or referenceSecretRef\), sent as senderKID, or spec\.cmp\.sender/,
      },
    ];
    for (const { what, spec, message } of rejected) {
      it(`rejects ${what} with a clear message`, async function () {
        const res = await post(ns().kc, ns().name, 'CMPv2Issuer', 'bad', spec);
        assert.equal(res.status, 422, `expected 422, got ${res.status}: ${res.body.message}`);
        assert.match(res.body.message ?? '', message);
      });
    }

    it('rejects both backends on a ClusterCMPv2Issuer too', async function () {
      const res = await post(ns().kc, undefined, 'ClusterCMPv2Issuer', `${ns().name}-both`, { ...onapSpec, ...cmpSpec });
      assert.equal(res.status, 422);
      assert.match(res.body.message ?? '', /exactly one backend per issuer/);
    });

    it('has a status subresource and prints Ready and Reason columns', async function () {
      const { kc, name: namespace } = ns();
      assert.equal((await post(kc, namespace, 'CMPv2Issuer', 'status', cmpSpec)).status, 201);
      const custom = kc.makeApiClient(CustomObjectsApi);
      const issuer = (await custom.getNamespacedCustomObject({ group, version, namespace, plural: 'cmpv2issuers', name: 'status' })) as {
        metadata: { generation: number };
      };
      const status = {
        observedGeneration: issuer.metadata.generation,
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'Pending',
            message: 'probing the CA',
            lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            observedGeneration: issuer.metadata.generation,
          },
        ],
      };
      // A status written through the main resource is ignored; only /status changes it.
      const mainPatch = await rawRequest(
        kc,
        'PATCH',
        `/apis/${group}/${version}/namespaces/${namespace}/cmpv2issuers/status`,
        { status },
        {
          'Content-Type': 'application/merge-patch+json',
        },
      );
      assert.equal(mainPatch.status, 200, JSON.stringify(mainPatch.body));
      const ignored = (await custom.getNamespacedCustomObject({ group, version, namespace, plural: 'cmpv2issuers', name: 'status' })) as {
        status?: unknown;
      };
      assert.equal(ignored.status, undefined);

      const replaced = await rawRequest(kc, 'PUT', `/apis/${group}/${version}/namespaces/${namespace}/cmpv2issuers/status/status`, {
        ...issuer,
        status,
      });
      assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
      assert.deepEqual((replaced.body as { status: unknown }).status, status);

      const table = await rawRequest(kc, 'GET', `/apis/${group}/${version}/namespaces/${namespace}/cmpv2issuers/status`, undefined, {
        Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
      });
      const body = table.body as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
      const columns = body.columnDefinitions.map((c) => c.name);
      assert.deepEqual(
        columns.filter((c) => ['Ready', 'Reason', 'Age'].includes(c)),
        ['Ready', 'Reason', 'Age'],
      );
      const cells = Object.fromEntries(columns.map((c, i) => [c, body.rows[0].cells[i]]));
      assert.equal(cells.Ready, 'False');
      assert.equal(cells.Reason, 'Pending');
    });
  });
});
