// Issuance benchmark on the test bed: N Certificates (EC P-256) created at once through cert-manager's
// built-in CA Issuer, then N through a CMPv2Issuer (development CA over HTTP, p10cr, PBM), each
// timed until every one is Ready; the ratio; the operator's peak RSS. The IssuerLoop runs in a
// child process from dist/ (so its RSS is its own: VmHWM from /proc/<pid>/status); the development CA runs in
// this process. cert-manager does the same work for both (keys, CertificateRequests, Secrets);
// only the signing differs: in-process for the CA Issuer, our loop + CMP over HTTP for ours.
// Enrolments are counted per CertificateRequest (issue 12 item 4): every request ever seen in the
// namespace during the run (a watch, so deleted ones count too: name, certificate-revision,
// owner Certificate) is matched by its CSR key with the CA's enrolment log; extra enrolments are
// listed with request name and revision.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { benchCertificate } from './certificates.js';
import { cpuProfileFlags, deployedNodeOptions } from './nodeOptions.js';
import { cpuSeconds, cpuSpent } from './cpuSeconds.js';
import { KubeConfig } from '@kubernetes/client-node';
import { startDevelopmentCa } from '../src/cmp/server/index.js';
import { KubeApi } from '../src/k8s/apiClient.js';
import type { Certificate, CertificateRequest } from '../src/api/certManager.js';
import type { KubeList } from '../src/k8s/meta.js';
import { toPem } from '../src/pki/pem.js';
import { applyDirectory } from '../scripts/testbed/apply.js';
import { up } from '../scripts/testbed/bed.js';
import { layout } from '../scripts/testbed/layout.js';
import { deleteNamespace } from '../test/cluster/bed.js';
import { makeCertificate, makeKey } from '../test/cmp/fixtures.js';
import { inParallel } from '../test/peer/keystore/javaTools.js';
import { account, describeRequest, restartedEvents, watchRequests } from '../test/faults/support/accounting.js';

const N = Number(process.env.BENCH_CERTIFICATES ?? 200);

// ---- the operator side (child process) -------------------------------------------------------

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const distDir = `${repoRoot}dist/`;

/**
 * The operator as it ships: compiled JavaScript (dist/, `npm run build`) under plain node, no tsx
 * loader (which alone adds ~100 MiB). Built as `run` builds the loop: default signers, Events to
 * the API server, default workers.
 */
const childSource = `
import { addIssuerLoop } from '${pathToFileURL(distDir).href}controllers/issuerLoop.js';
import { KubeApi } from '${pathToFileURL(distDir).href}k8s/apiClient.js';
import { loadKubeconfigFiles } from '${pathToFileURL(distDir).href}k8s/kubeConfig.js';
import { Manager } from '${pathToFileURL(distDir).href}k8s/manager.js';
import { EventRecorder } from '${pathToFileURL(distDir).href}k8s/events.js';
if (process.env.BENCH_FLOOR === '1') {
  // The floor: every module loaded, no loop.
  process.send({ type: 'floor' });
  process.on('message', () => process.exit(0));
  await new Promise(() => {});
}
const api = KubeApi.fromConnection(loadKubeconfigFiles([process.env.KUBECONFIG_PATH]));
// Every API request the loop makes, by verb and kind of path (a request's name folded away).
const requests = {};
const send = api.request.bind(api);
api.request = (method, path, options) => {
  const parts = path.split('/').map((part, i, all) => (all[i - 1] === 'namespaces' ? 'NS' : ['certificaterequests', 'secrets', 'events', 'cmpv2issuers'].includes(all[i - 1]) ? 'NAME' : part));
  const kind = method + ' ' + parts.join('/') + (options?.query?.watch ? ' (watch)' : '');
  requests[kind] = (requests[kind] ?? 0) + 1;
  return send(method, path, options);
};
const namespace = process.env.BENCH_NAMESPACE;
const manager = new Manager({ api, namespaces: [namespace] });
addIssuerLoop(manager, { api, events: new EventRecorder(api, { component: 'cmpv2-operator' }), clusterResourceNamespace: namespace, maxRetryDurationMs: 600000 });
await manager.start();
process.send({ type: 'ready' });
process.on('message', (message) => {
  if (message.type === 'requests') process.send({ type: 'requests', requests });
  if (message.type === 'stop') void manager.shutdown().then(() => { api.close(); process.exit(0); });
});
`;

// ---- the bench side ---------------------------------------------------------------------------

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/** VmHWM (peak resident set) of `pid` in MiB. */
function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Creates N Certificates at once and returns the time until all are Ready. */
async function issueAll(api: KubeApi, namespace: string, prefix: string, issuerRef: Record<string, string>): Promise<number> {
  const started = performance.now();
  await inParallel(
    Array.from(
      { length: N },
      (_, i) => () =>
        api.request('POST', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates`, { body: benchCertificate(`${prefix}-${i}`, issuerRef) }),
    ),
    32,
  );
  const deadline = Date.now() + 900_000;
  for (;;) {
    const list = await api.request<KubeList<Certificate>>('GET', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates`);
    const ready = list.items.filter(
      (c) => c.metadata.name?.startsWith(`${prefix}-`) && c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'),
    ).length;
    if (ready >= N) return performance.now() - started;
    if (Date.now() > deadline) throw new Error(`issuance bench: only ${ready}/${N} ${prefix} Certificates Ready after 15 min`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** NODE_OPTIONS of the operator container (BENCH_NODE_OPTIONS overrides, to compare). */
const operatorNodeOptions = (): string => deployedNodeOptions('deploy/deployment.yaml');

/** Peak RSS of the operator process with its modules loaded and no loop (node alone ≈ 40 MiB). */
async function floorRssMiB(cwd: string): Promise<number> {
  const floor = spawn(process.execPath, ['--input-type=module', '-e', childSource], {
    cwd,
    env: { ...process.env, BENCH_FLOOR: '1', NODE_OPTIONS: operatorNodeOptions() },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise((resolve) => floor.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    floor.once('message', () => resolve());
    floor.once('exit', (code) => reject(new Error(`the floor process exited (${String(code)}) before reporting`)));
  });
  const rss = peakRssMiB(floor.pid!);
  floor.send({ type: 'stop' });
  await exited;
  return rss;
}

export async function issuanceBench(): Promise<void> {
  if (!existsSync(`${distDir}controllers/issuerLoop.js`)) throw new Error('issuance bench: the operator runs from dist/: run `npm run build` first');
  // Both runs need cert-manager's approver.
  const bed = await up({ approver: true, log: (line) => console.log(line) });
  const kc = new KubeConfig();
  kc.loadFromFile(bed.kubeconfig);
  const api = await KubeApi.fromKubeConfig(kc);
  // Our CRDs: a freshly started bed has only cert-manager's.
  await applyDirectory(kc, layout.projectCrdsDir);
  const namespace = `bench-issuance-${randomBytes(3).toString('hex')}`;
  const ca = await startDevelopmentCa({ port: 0, secret: 'bench-iak', reference: 'bench-rv' });
  let child: ChildProcess | undefined;
  let childExited = false;
  try {
    await api.request('POST', '/api/v1/namespaces', { body: { metadata: { name: namespace, labels: { 'cmpv2-testbed/test': 'true' } } } });
    // cert-manager's CA Issuer: an EC P-256 root in a kubernetes.io/tls Secret.
    const rootKey = makeKey('ec');
    const root = makeCertificate({ subject: 'CN=Bench CA Issuer Root', key: rootKey, ca: true });
    await api.request('POST', `/api/v1/namespaces/${namespace}/secrets`, {
      body: {
        metadata: { name: 'bench-ca' },
        type: 'kubernetes.io/tls',
        stringData: { 'tls.crt': toPem('CERTIFICATE', root), 'tls.key': rootKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
      },
    });
    await api.request('POST', `/apis/cert-manager.io/v1/namespaces/${namespace}/issuers`, {
      body: { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'ca' }, spec: { ca: { secretName: 'bench-ca' } } },
    });
    await api.request('POST', `/api/v1/namespaces/${namespace}/secrets`, {
      body: { metadata: { name: 'cmp-iak' }, type: 'Opaque', stringData: { password: 'bench-iak' } },
    });
    await api.request('POST', `/apis/certmanager.onap.org/v1/namespaces/${namespace}/cmpv2issuers`, {
      body: {
        apiVersion: 'certmanager.onap.org/v1',
        kind: 'CMPv2Issuer',
        metadata: { name: 'dev-ca' },
        spec: { cmp: { url: ca.url, protection: { passwordBasedMac: { secretRef: { name: 'cmp-iak', key: 'password' }, reference: 'bench-rv' } } } },
      },
    });

    // The same request watch as the CMPv2Issuer's run below (there it counts enrolments), so both
    // runs carry its cost; here what it sees is dropped.
    const caWatching = new AbortController();
    const caWatch = watchRequests(api, namespace, caWatching.signal);
    const caIssuerCpu = await cpuSeconds();
    const caIssuer = await issueAll(api, namespace, 'ca', { group: 'cert-manager.io', kind: 'Issuer', name: 'ca' });
    const caIssuerSpent = cpuSpent(caIssuerCpu, await cpuSeconds());
    caWatching.abort();
    await caWatch.done.catch(() => undefined);

    const started = performance.now();
    child = spawn(process.execPath, [...cpuProfileFlags(), '--input-type=module', '-e', childSource], {
      cwd: repoRoot,
      // The operator as the Deployment runs it (its NODE_OPTIONS).
      env: { ...process.env, KUBECONFIG_PATH: bed.kubeconfig, BENCH_NAMESPACE: namespace, NODE_OPTIONS: operatorNodeOptions() },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('exit', () => (childExited = true));
    await new Promise<void>((resolve, reject) => {
      child!.once('message', () => resolve());
      child!.once('exit', (code) => reject(new Error(`the operator process exited (${String(code)})`)));
    });
    const startup = performance.now() - started;
    const syncedRss = peakRssMiB(child.pid!);
    const floor = await floorRssMiB(repoRoot);
    const watching = new AbortController();
    const watch = watchRequests(api, namespace, watching.signal);
    const cmpIssuerCpu = await cpuSeconds({ operator: child.pid });
    const cmpIssuer = await issueAll(api, namespace, 'cmp', { group: 'certmanager.onap.org', kind: 'CMPv2Issuer', name: 'dev-ca' });
    const cmpIssuerSpent = cpuSpent(cmpIssuerCpu, await cpuSeconds({ operator: child.pid }));
    const peak = peakRssMiB(child.pid!);
    // More enrolments than Certificates means more CertificateRequests (cert-manager's) or a double enrolment (ours).
    const requests = (
      await api.request<KubeList<CertificateRequest>>('GET', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificaterequests`)
    ).items.filter((r) => r.spec.issuerRef.kind === 'CMPv2Issuer');

    // Late events (the last status writes) arrive within a moment; the list below is the final word on live ones.
    for (const request of requests) {
      // The final state of the live ones (each issued request's serial).
      watch.seen.set(request.metadata.uid ?? '', describeRequest(request));
    }
    watching.abort();
    await watch.done.catch(() => undefined);
    const perRequest = account([...watch.seen.values()], ca.enrolments(), await restartedEvents(api, namespace));

    console.log(
      '| Certificates at once (EC P-256) | cert-manager CA Issuer: all Ready | CMPv2Issuer (dev CA over HTTP, p10cr): all Ready | ratio | operator peak RSS (VmHWM) | RSS when synced | floor (modules loaded, no loop) |',
    );
    console.log('|---:|---:|---:|---:|---:|---:|---:|');
    console.log(
      `| ${N} | ${seconds(caIssuer)} s | ${seconds(cmpIssuer)} s | ${(cmpIssuer / caIssuer).toFixed(2)}× | ${peak.toFixed(0)} MiB | ${syncedRss.toFixed(0)} MiB | ${floor.toFixed(0)} MiB |`,
    );
    console.log(
      `(operator NODE_OPTIONS="${operatorNodeOptions()}"; start-up to synced: ${seconds(startup)} s, not counted; CA enrolments: ${ca.stats.enrollments} for ${requests.length} CertificateRequests of the CMPv2Issuer; load average now ${(
        await import('node:os')
      )
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')})`,
    );
    const loopRequests = await new Promise<Record<string, number>>((resolve) => {
      const onMessage = (message: { type: string; requests?: Record<string, number> }): void => {
        if (message.type !== 'requests') return;
        child!.off('message', onMessage);
        resolve(message.requests ?? {});
      };
      child!.on('message', onMessage);
      child!.send({ type: 'requests' });
    });
    console.log(
      `the loop's API requests per CertificateRequest (${requests.length}): ${Object.entries(loopRequests)
        .sort((a, b) => b[1] - a[1])
        .map(([kind, count]) => `${kind} ${(count / requests.length).toFixed(2)}`)
        .join('; ')}`,
    );
    console.log(`CPU while the CA Issuer's ${N} were issued: ${caIssuerSpent}`);
    console.log(
      `CPU while the CMPv2Issuer's ${N} were issued: ${cmpIssuerSpent} (bench: the development CA and the request watch; in the CA Issuer's run the watch alone)`,
    );
    const histogram = new Map<number, number>();
    for (const r of perRequest.requests) histogram.set(r.enrolments, (histogram.get(r.enrolments) ?? 0) + 1);
    console.log(
      `enrolments per CertificateRequest (${perRequest.requests.length} seen by the watch, ${perRequest.requests.filter((r) => r.deleted).length} of them deleted): ${[
        ...histogram,
      ]
        .sort(([a], [b]) => a - b)
        .map(([enrolments, requestCount]) => `${requestCount} with ${enrolments}`)
        .join(', ')}; CA enrolments matching no request: ${perRequest.unmatched.length}`,
    );
    for (const r of perRequest.requests.filter((x) => x.enrolments !== 1)) {
      console.log(
        `  ${r.name} (Certificate ${r.certificate}, revision ${r.revision}${r.deleted ? ', deleted' : ''}): ${r.enrolments} enrolments, ${r.restarted} TransactionRestarted Events`,
      );
    }
    // cert-manager's own re-issues: a second request for a Certificate, enrolled on its own; its Events say why.
    const reissued = new Set(perRequest.requests.filter((r) => r.revision !== '1' || r.deleted).map((r) => r.certificate));
    if (reissued.size > 0) {
      const events = await api.request<KubeList<{ involvedObject: { kind?: string; name?: string }; reason?: string; message?: string; count?: number }>>(
        'GET',
        `/api/v1/namespaces/${namespace}/events`,
      );
      for (const name of reissued) {
        const requestsOf = perRequest.requests.filter((r) => r.certificate === name);
        console.log(
          `  re-issued by cert-manager: Certificate ${name}: ${requestsOf.map((r) => `${r.name} (revision ${r.revision}${r.deleted ? ', deleted' : ''}, ${r.enrolments} enrolment${r.enrolments === 1 ? '' : 's'})`).join(', ')}`,
        );
        for (const event of events.items.filter((e) => e.involvedObject.kind === 'Certificate' && e.involvedObject.name === name)) {
          console.log(`    Certificate Event ${event.reason ?? ''} (×${event.count ?? 1}): ${event.message ?? ''}`);
        }
      }
    }
    for (const record of perRequest.unmatched) {
      console.log(`  CA enrolment for no request seen: ${record.subject}, serial ${record.serial}, ${record.messageType}, transaction ${record.transactionID}`);
    }
  } finally {
    if (child && !childExited) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child!.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    await ca.stop();
    await deleteNamespace(kc, namespace);
    api.close();
  }
}
