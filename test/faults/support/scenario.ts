// One fault scenario on the bed: the development CA as a child process (optionally behind the
// TCP proxy), a PBM CMPv2Issuer on it, operator replicas as child processes, N Certificates
// created at once, the fault applied while they are in flight, then every check of issue 12:
// all Ready, no request Failed, one CertificateRequest per Certificate, enrolments at the CA
// per request (extra ones only where a TransactionRestarted Event names the lost answer),
// Secrets intact (tls.crt parses, matches tls.key, is the certificate the CA issued for that
// request's key), operator RSS bounded. Prints one line per scenario.
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Certificate, CertificateRequest } from '../../../src/api/certManager.js';
import type { KubeApi } from '../../../src/k8s/apiClient.js';
import type { KubeList } from '../../../src/k8s/meta.js';
import { bed, eventually, type TestNamespace } from '../../cluster/bed.js';
import { certificateManifest, pbmCmpSpec, readTlsSecret } from '../../cluster/issuer/support.js';
import { account, describeExtra, describeRequest, listRequestsOf, restartedEvents, watchRequests, type EnrolmentAccount } from './accounting.js';
import { CaProcess } from './caProcess.js';
import { OperatorReplica, type HoldPoint } from './operatorReplica.js';
import { TcpProxy, type ProxyCounts, type ProxyOptions } from './tcpProxy.js';

export const CERTIFICATES = Number(process.env.FAULTS_CERTIFICATES ?? 6);
/** The operator's resident set must stay below this through every fault. */
export const RSS_BOUND_BYTES = 300 * 1024 * 1024;
const SECRET = 'faults-iak';
const REFERENCE = 'faults-rv';
const ISSUER = 'fault-ca';

export interface ReplicaSpec {
  podName: string;
  leaderElect?: boolean;
  hold?: HoldPoint[];
}

export interface ScenarioSpec {
  name: string;
  /** test-ca --poll */
  caPoll?: number;
  /** test-ca --check-after (default 1 s) */
  caCheckAfterSeconds?: number;
  /** Put the TCP proxy between the operator and the CA. */
  proxy?: Omit<ProxyOptions, 'target'>;
  replicas: ReplicaSpec[];
  /** Applied once the Certificates exist; runs while they are in flight. */
  fault(context: ScenarioContext): Promise<void>;
  certificates?: number;
  /** Time allowed from creation to all Ready. */
  readyTimeoutMs?: number;
}

export interface ScenarioContext {
  api: KubeApi;
  namespace: string;
  ca: CaProcess;
  proxy: TcpProxy | undefined;
  replicas: OperatorReplica[];
  /** Resolves once at least one request carries the write-ahead record (work is in flight). */
  inFlight(): Promise<void>;
}

export interface ScenarioResult {
  certificates: number;
  account: EnrolmentAccount;
  readyMs: number;
  secretsIntact: number;
  peakRssBytes: number;
  proxy?: ProxyCounts;
  line: string;
}

/** The record the lead's controller keeps on each request (issue 12 item 1). */
export const TRANSACTION_ANNOTATION = 'certmanager.onap.org/cmp-transaction';

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

async function certificatesOf(api: KubeApi, namespace: string): Promise<Certificate[]> {
  return (await api.request<KubeList<Certificate>>('GET', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates`)).items;
}

const isReady = (c: Certificate) => c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;
const readyOf = (r: CertificateRequest) => r.status?.conditions?.find((c) => c.type === 'Ready');

/** Runs `spec` in the test's namespace; throws (after printing its line) when a check fails. */
export async function runScenario(api: KubeApi, ns: TestNamespace, spec: ScenarioSpec): Promise<ScenarioResult> {
  const namespace = ns.name;
  const count = spec.certificates ?? CERTIFICATES;
  const ca = await CaProcess.start({ secret: SECRET, reference: REFERENCE, poll: spec.caPoll, checkAfterSeconds: spec.caCheckAfterSeconds });
  const proxy = spec.proxy ? await TcpProxy.start({ ...spec.proxy, target: { host: '127.0.0.1', port: ca.port } }) : undefined;
  const url = proxy ? `${proxy.url}/.well-known/cmp` : ca.url;
  const kubeconfig = (await bed()).kubeconfig;
  const replicas = spec.replicas.map((r) => new OperatorReplica({ kubeconfig, namespace, ...r }));
  const watching = new AbortController();
  try {
    await ns.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cmp-iak' }, type: 'Opaque', stringData: { password: SECRET } });
    await ns.create({
      apiVersion: 'certmanager.onap.org/v1',
      kind: 'CMPv2Issuer',
      metadata: { name: ISSUER },
      // A short exchange timeout: a takeover after a dead holder is quick.
      spec: pbmCmpSpec(url, 'cmp-iak', REFERENCE, { timeout: '5s' }),
    });
    const watch = watchRequests(api, namespace, watching.signal);
    for (const replica of replicas) replica.start();
    const started = performance.now();
    await Promise.all(Array.from({ length: count }, (_, i) => ns.create(certificateManifest(`fault-${i}`, { kind: 'CMPv2Issuer', name: ISSUER }))));
    const context: ScenarioContext = {
      api,
      namespace,
      ca,
      proxy,
      replicas,
      inFlight: async () => {
        await eventually(
          'a CertificateRequest with its write-ahead transaction record',
          async () => ((await listRequestsOf(api, namespace)).some((r) => r.metadata.annotations?.[TRANSACTION_ANNOTATION]) ? true : undefined),
          90_000,
        );
      },
    };
    await spec.fault(context);
    await allReady(api, namespace, count, spec.readyTimeoutMs ?? 240_000);
    const readyMs = performance.now() - started;

    watching.abort();
    await watch.done.catch(() => undefined);
    // cert-manager may start a re-issue just after every Certificate looked Ready (its trigger read
    // a cache that had not seen the new Secret yet): the new request is accounted once it is
    // issued, not while its enrolment may still be on the way.
    let requests = await listRequestsOf(api, namespace);
    for (let look = 1; look < 10 && !requests.every((r) => readyOf(r)?.status === 'True'); look++) {
      await allReady(api, namespace, count, spec.readyTimeoutMs ?? 240_000);
      requests = await listRequestsOf(api, namespace);
    }
    for (const request of requests) {
      // The final state of the live ones (each issued request's serial).
      watch.seen.set(request.metadata.uid ?? '', describeRequest(request));
    }
    const seen = [...watch.seen.values()];
    const result = account(seen, ca.enrolments(), await restartedEvents(api, namespace));
    // cert-manager re-issues a Certificate when it finds its Secret or request out of step (it
    // can after etcd or the API server stalled): a new request, enrolled on its own.
    const reissued = seen.filter((r) => r.revision !== '1' || r.deleted).map((r) => `${r.name}${r.deleted ? ' (deleted)' : ''}`);
    let secretsIntact = 0;
    const secretProblems: string[] = [];
    const issued = new Map(ca.enrolments().map((r) => [r.serial, r.spkiSha256]));
    for (let i = 0; i < count; i += 1) {
      try {
        const tls = await readTlsSecret(api, namespace, `fault-${i}-tls`);
        const keyHash = createHash('sha256')
          .update(tls.leaf.publicKey.export({ type: 'spki', format: 'der' }))
          .digest('hex');
        if (!tls.keyMatches) throw new Error('tls.crt does not certify tls.key');
        if (issued.get(tls.leaf.serialNumber.toLowerCase()) !== keyHash) throw new Error('tls.crt is no certificate the CA issued for this key');
        secretsIntact += 1;
      } catch (err) {
        secretProblems.push(`fault-${i}-tls: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const peakRssBytes = Math.max(...replicas.map((r) => r.peakRssBytes));
    const proxyCounts = proxy
      ? `; proxy: ${proxy.counts.connections} connections, ${proxy.counts.droppedBefore} dropped before the CA, ${proxy.counts.droppedAfter} answers dropped, ${proxy.counts.refused} refused`
      : '';
    const line =
      `faults: ${spec.name} | Certificates ${count} | CertificateRequests ${requests.length} | enrolments at the CA ${result.enrolments}` +
      ` | extra ${describeExtra(result)} | window (TransactionRestarted Events) ${result.restartedEvents} | all Ready ${(readyMs / 1000).toFixed(1)} s` +
      ` | Secrets intact ${secretsIntact}/${count} | operator peak RSS ${mib(peakRssBytes)}` +
      `${reissued.length > 0 ? ` | re-issued by cert-manager: ${reissued.join(', ')}` : ''}${proxyCounts}`;
    console.log(`      ${line}`);

    assert.equal(requests.length, count, 'one live CertificateRequest per Certificate');
    assert.deepEqual(secretProblems, [], 'every Secret holds the certificate the CA issued for its key');
    // A request cert-manager deleted before it was issued (it replaces a request whose CSR no
    // longer matches the Certificate's next key) may never have reached the CA: only live and
    // issued ones must have an enrolment.
    assert.deepEqual(
      result.requests.filter((r) => r.enrolments === 0 && (!r.deleted || r.serial)).map((r) => `${r.name}${r.deleted ? ' (deleted)' : ''}`),
      [],
      'every live or issued request was enrolled at the CA',
    );
    assert.deepEqual(result.unmatched, [], 'the CA issued nothing for a key no request has');
    assert.deepEqual(
      result.unexplained.map((r) => `${r.name}: ${r.enrolments} enrolments, ${r.restarted} ${'TransactionRestarted'}`),
      [],
      'extra enrolments only on requests whose lost answer is named by a TransactionRestarted Event',
    );
    assert.ok(peakRssBytes > 0 && peakRssBytes < RSS_BOUND_BYTES, `operator peak RSS ${mib(peakRssBytes)} is below ${mib(RSS_BOUND_BYTES)}`);
    // Each Certificate's Secret holds the leaf of its own (final) request.
    for (const request of requests) {
      const leaf = new X509Certificate(Buffer.from(request.status?.certificate ?? '', 'base64').toString('utf8'));
      const keyHash = createHash('sha256')
        .update(leaf.publicKey.export({ type: 'spki', format: 'der' }))
        .digest('hex');
      assert.equal(keyHash, describeRequest(request).spkiSha256, `${request.metadata.name}: the certificate is for the request's key`);
    }
    return { certificates: count, account: result, readyMs, secretsIntact, peakRssBytes, ...(proxy ? { proxy: { ...proxy.counts } } : {}), line };
  } catch (err) {
    // The whole output goes to a file (the message keeps only its end).
    const logs = replicas
      .map((r) => {
        const file = path.join(os.tmpdir(), `faults-${namespace}-${r.podName}.log`);
        fs.writeFileSync(file, r.output);
        return `--- operator ${r.podName} (all of it in ${file}; last 4000 characters) ---\n${r.output.slice(-4000)}`;
      })
      .join('\n');
    const failure = new Error(`${err instanceof Error ? err.message : String(err)}\n--- CA ---\n${ca.output.slice(-2000)}\n${logs}`);
    failure.stack = failure.message;
    throw failure;
  } finally {
    watching.abort();
    await Promise.all(replicas.map((r) => r.stop().catch(() => r.kill())));
    await proxy?.close();
    await ca.stop();
  }
}

/** Waits until `count` Certificates are Ready; fails at once when a request is Failed (final). */
async function allReady(api: KubeApi, namespace: string, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const requests = await listRequestsOf(api, namespace);
      const failed = requests.find((r) => readyOf(r)?.reason === 'Failed');
      if (failed) throw new Error(`CertificateRequest ${failed.metadata.name} Failed: ${readyOf(failed)?.message ?? ''}`);
      const certificates = await certificatesOf(api, namespace);
      const ready = certificates.filter(isReady).length;
      // Ready with no issuance going on (cert-manager may be re-issuing one), every live request issued.
      const issuing = certificates.filter((c) => c.status?.conditions?.some((x) => x.type === 'Issuing' && x.status === 'True')).length;
      const unissued = requests.filter((r) => readyOf(r)?.status !== 'True').length;
      if (certificates.length === count && ready === count && issuing === 0 && unissued === 0) return;
      last = `${ready}/${count} Ready; requests: ${requests.map((r) => `${r.metadata.name}=${readyOf(r)?.reason ?? '-'}`).join(' ')}`;
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('CertificateRequest ')) throw err;
      // The API server may be down during a fault: keep waiting.
      last = `the API failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (Date.now() > deadline) throw new Error(`not every Certificate Ready after ${timeoutMs / 1000} s: ${last}`);
    await sleep(500);
  }
}
