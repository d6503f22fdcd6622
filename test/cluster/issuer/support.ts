// Shared pieces of the issuer-loop cluster tests: the loop run in-process against the bed, the
// approver's part when the bed runs without it, and waits on Certificates / CertificateRequests.
import { runIssuerLoop, type RunningIssuerLoop } from '../../controllers/loops.js';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import net from 'node:net';
import { KubeApi } from '../../../src/k8s/apiClient.js';
import { EventRecorder } from '../../../src/k8s/events.js';
import type { Certificate, CertificateRequest } from '../../../src/api/certManager.js';
import type { KubeList, Secret } from '../../../src/k8s/meta.js';
import { parseCertificateBundle } from '../../../src/pki/pem.js';
import { applyDirectory } from '../../../scripts/testbed/apply.js';
import { layout } from '../../../scripts/testbed/layout.js';
import { adminKubeConfig, bed, eventually } from '../bed.js';

/** RFC 3339 without fractions, as conditions carry it. */
export const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** An admin KubeApi on the bed with cert-manager's and our CRDs applied. */
export async function issuerTestApi(): Promise<KubeApi> {
  const kc = await adminKubeConfig();
  await applyDirectory(kc, layout.certManagerCrdsDir);
  await applyDirectory(kc, layout.projectCrdsDir);
  return KubeApi.fromKubeConfig(kc);
}

/** A port nobody listens on right now (for a CA that starts later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The loop as `run` builds it (default signers over the API's Secrets), watching one namespace. */
export async function startIssuerLoop(api: KubeApi, namespace: string, clusterResourceNamespace = namespace): Promise<RunningIssuerLoop> {
  const loop = await runIssuerLoop({
    api,
    events: new EventRecorder(api, { component: 'cmpv2-operator' }),
    namespaces: [namespace],
    clusterResourceNamespace,
    maxRetryDurationMs: 600_000,
  });
  return loop;
}

export async function listRequests(api: KubeApi, namespace: string): Promise<CertificateRequest[]> {
  return (await api.request<KubeList<CertificateRequest>>('GET', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificaterequests`)).items;
}

/** Adds a condition (Approved / Denied) through the status subresource, as an approver does. */
export async function addRequestCondition(api: KubeApi, request: CertificateRequest, type: 'Approved' | 'Denied'): Promise<void> {
  const conditions = request.status?.conditions ?? [];
  const condition = { type, status: 'True', reason: 'test', message: `${type.toLowerCase()} by the test`, lastTransitionTime: now() };
  await api.request('PATCH', `/apis/cert-manager.io/v1/namespaces/${request.metadata.namespace}/certificaterequests/${request.metadata.name}/status`, {
    contentType: 'application/merge-patch+json',
    body: { metadata: { resourceVersion: request.metadata.resourceVersion }, status: { conditions: [...conditions, condition] } },
  });
}

/** Plays cert-manager's approver when the bed runs without it (another suite may have turned it off). */
export async function approvePending(api: KubeApi, namespace: string): Promise<void> {
  if ((await bed()).approver) return;
  for (const request of await listRequests(api, namespace)) {
    if (request.status?.conditions?.some((c) => c.type === 'Approved' || c.type === 'Denied')) continue;
    await addRequestCondition(api, request, 'Approved').catch(() => undefined); // a conflict: next round
  }
}

/** Waits until Certificate `name` is Ready at revision ≥ `atLeast`. */
export async function readyCertificate(api: KubeApi, namespace: string, name: string, atLeast = 1, timeoutMs = 90_000): Promise<Certificate> {
  return eventually(
    `Certificate ${name} Ready at revision ≥ ${atLeast}`,
    async () => {
      await approvePending(api, namespace);
      const cert = await api.request<Certificate>('GET', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates/${name}`);
      const ready = cert.status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.status === 'True' && (cert.status?.revision ?? 0) >= atLeast ? cert : undefined;
    },
    timeoutMs,
  );
}

/** Waits for the first CertificateRequest of `namespace` whose Ready condition passes `accept`. */
export async function requestWhen(
  api: KubeApi,
  namespace: string,
  what: string,
  accept: (ready: { status: string; reason?: string; message?: string } | undefined, request: CertificateRequest) => boolean,
  timeoutMs = 60_000,
): Promise<CertificateRequest> {
  return eventually(
    what,
    async () => {
      await approvePending(api, namespace);
      return (await listRequests(api, namespace)).find((r) =>
        accept(
          r.status?.conditions?.find((c) => c.type === 'Ready'),
          r,
        ),
      );
    },
    timeoutMs,
  );
}

export interface TlsSecret {
  leaf: X509Certificate;
  /** base64 DER of every certificate in ca.crt. */
  rootsBase64: string[];
  keyPem: string;
  /** tls.crt certifies tls.key. */
  keyMatches: boolean;
}

export async function readTlsSecret(api: KubeApi, namespace: string, name: string): Promise<TlsSecret> {
  const secret = await api.request<Secret>('GET', `/api/v1/namespaces/${namespace}/secrets/${name}`);
  const text = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
  const leaf = new X509Certificate(text('tls.crt'));
  const keySpki = createPublicKey(createPrivateKey(text('tls.key'))).export({ format: 'der', type: 'spki' });
  return {
    leaf,
    rootsBase64: parseCertificateBundle(text('ca.crt')).certificates.map((r) => r.toString('base64')),
    keyPem: text('tls.key'),
    keyMatches: keySpki.equals(leaf.publicKey.export({ format: 'der', type: 'spki' })),
  };
}

export const derBase64 = (der: Uint8Array): string => Buffer.from(der).toString('base64');

/** A Certificate through one of our issuers. */
export function certificateManifest(
  name: string,
  issuer: { kind: 'CMPv2Issuer' | 'ClusterCMPv2Issuer'; name: string },
  privateKey: { algorithm: 'RSA' | 'ECDSA'; size: number } = { algorithm: 'ECDSA', size: 256 },
): Record<string, unknown> & { apiVersion: string; kind: string } {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name },
    spec: {
      secretName: `${name}-tls`,
      commonName: `${name}.example`,
      dnsNames: [`${name}.example`, `${name}.apps.svc`],
      privateKey: { ...privateKey, rotationPolicy: 'Always' },
      issuerRef: { group: 'certmanager.onap.org', kind: issuer.kind, name: issuer.name },
    },
  };
}

/** A PBM-protected native CMP issuer spec pointing at `url`. */
export function pbmCmpSpec(url: string, secretName: string, reference: string, extra: Record<string, unknown> = {}): { cmp: Record<string, unknown> } {
  return { cmp: { url, ...extra, protection: { passwordBasedMac: { secretRef: { name: secretName, key: 'password' }, reference } } } };
}
