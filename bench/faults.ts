// Faults benchmark (issue 12): N Certificates (default 200) through a CMPv2Issuer on the
// development CA (child process, state dir, enrolments logged), issued twice in the same run by
// `cmpv2-operator run` (compiled, child process): once fault-free, once while the operator is
// SIGKILLed every 10 s and restarted at once with the same POD_NAME. For both: time to all
// Ready, enrolments at the CA, extra enrolments and the window named for them
// (TransactionRestarted Events), peak RSS; then the ratio. Aim: extra = 0 outside the window,
// time ≤ 2× fault-free. Uses the default bed (only the operator is killed, never the bed).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import type { Certificate } from '../src/api/certManager.js';
import { KubeApi } from '../src/k8s/apiClient.js';
import type { KubeList } from '../src/k8s/meta.js';
import { applyDirectory } from '../scripts/testbed/apply.js';
import { up } from '../scripts/testbed/bed.js';
import { layout } from '../scripts/testbed/layout.js';
import { deleteNamespace } from '../test/cluster/bed.js';
import { inParallel } from '../test/peer/keystore/javaTools.js';
import {
  account,
  describeExtra,
  describeRequest,
  listRequestsOf,
  restartedEvents,
  watchRequests,
  type EnrolmentAccount,
} from '../test/faults/support/accounting.js';
import { CaProcess } from '../test/faults/support/caProcess.js';
import { OperatorReplica } from '../test/faults/support/operatorReplica.js';
import { benchCertificate } from './certificates.js';

const DEV_CA = { group: 'certmanager.onap.org', kind: 'CMPv2Issuer', name: 'dev-ca' };

const N = Number(process.env.BENCH_CERTIFICATES ?? 200);
const KILL_EVERY_MS = Number(process.env.BENCH_KILL_EVERY_MS ?? 10_000);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

const seconds = (ms: number): string => (ms / 1000).toFixed(1);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface RunFigures {
  readyMs: number;
  account: EnrolmentAccount;
  kills: number;
  peakRssMiB: number;
}

/** One run in a fresh namespace with its own CA; `killing` SIGKILLs the operator every KILL_EVERY_MS. */
async function run(api: KubeApi, kc: KubeConfig, kubeconfig: string, killing: boolean): Promise<RunFigures> {
  const namespace = `bench-faults-${killing ? 'kill' : 'free'}-${randomBytes(3).toString('hex')}`;
  const ca = await CaProcess.start({ secret: 'bench-iak', reference: 'bench-rv' });
  const operator = new OperatorReplica({ kubeconfig, namespace, podName: 'bench-faults-op' });
  let killer: Promise<void> | undefined;
  let done = false;
  const watching = new AbortController();
  try {
    await api.request('POST', '/api/v1/namespaces', { body: { metadata: { name: namespace, labels: { 'cmpv2-testbed/test': 'true' } } } });
    await api.request('POST', `/api/v1/namespaces/${namespace}/secrets`, {
      body: { metadata: { name: 'cmp-iak' }, type: 'Opaque', stringData: { password: 'bench-iak' } },
    });
    await api.request('POST', `/apis/certmanager.onap.org/v1/namespaces/${namespace}/cmpv2issuers`, {
      body: {
        apiVersion: 'certmanager.onap.org/v1',
        kind: 'CMPv2Issuer',
        metadata: { name: 'dev-ca' },
        spec: {
          cmp: { url: ca.url, timeout: '5s', protection: { passwordBasedMac: { secretRef: { name: 'cmp-iak', key: 'password' }, reference: 'bench-rv' } } },
        },
      },
    });
    // Every request, deleted ones too: cert-manager may re-issue at once with the same key.
    const watch = watchRequests(api, namespace, watching.signal);
    operator.start();
    const started = performance.now();
    if (killing) {
      killer = (async () => {
        while (!done) {
          await sleep(KILL_EVERY_MS);
          if (done) break;
          await operator.kill();
          operator.start();
        }
      })();
    }
    await inParallel(
      Array.from(
        { length: N },
        (_, i) => () => api.request('POST', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates`, { body: benchCertificate(`c-${i}`, DEV_CA) }),
      ),
      32,
    );
    const deadline = Date.now() + 30 * 60_000;
    for (;;) {
      const list = await api.request<KubeList<Certificate>>('GET', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates`);
      const ready = list.items.filter((c) => c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).length;
      if (ready >= N) break;
      if (Date.now() > deadline) throw new Error(`faults bench: only ${ready}/${N} Certificates Ready after 30 min`);
      await sleep(250);
    }
    const readyMs = performance.now() - started;
    done = true;
    await killer;
    for (const request of await listRequestsOf(api, namespace)) watch.seen.set(request.metadata.uid ?? '', describeRequest(request));
    watching.abort();
    await watch.done.catch(() => undefined);
    return {
      readyMs,
      account: account([...watch.seen.values()], ca.enrolments(), await restartedEvents(api, namespace)),
      kills: operator.kills,
      peakRssMiB: operator.peakRssBytes / 1024 / 1024,
    };
  } finally {
    done = true;
    watching.abort();
    await killer?.catch(() => undefined);
    await operator.stop().catch(() => operator.kill());
    await ca.stop();
    await deleteNamespace(kc, namespace);
  }
}

export async function faultsBench(): Promise<void> {
  if (!existsSync(`${repoRoot}dist/cli/main.js`)) {
    throw new Error('faults bench: the operator runs from dist/: run `npm run build` first');
  }
  const bed = await up({ approver: true, log: (line) => console.log(line) });
  const kc = new KubeConfig();
  kc.loadFromFile(bed.kubeconfig);
  const api = await KubeApi.fromKubeConfig(kc);
  // Our CRDs: a freshly started bed has only cert-manager's.
  await applyDirectory(kc, layout.projectCrdsDir);
  try {
    console.log(`load average before: ${load()}`);
    const free = await run(api, kc, bed.kubeconfig, false);
    const killed = await run(api, kc, bed.kubeconfig, true);
    console.log(
      '| run | Certificates | all Ready | operator kills | enrolments at the CA | extra (window: TransactionRestarted) | outside the window | peak RSS |',
    );
    console.log('|---|---:|---:|---:|---:|---|---:|---:|');
    const runs = [
      ['fault-free', free],
      [`SIGKILL every ${seconds(KILL_EVERY_MS)} s`, killed],
    ] as const;
    for (const [name, figures] of runs) {
      const extraRequests = figures.account.requests.filter((r) => r.enrolments > 1).length;
      console.log(
        `| ${name} | ${N} | ${seconds(figures.readyMs)} s | ${figures.kills} | ${figures.account.enrolments} for ${figures.account.requests.length} requests | ${figures.account.extra} on ${extraRequests} requests (${figures.account.restartedEvents} Events) | ${figures.account.unexplained.length} | ${figures.peakRssMiB.toFixed(0)} MiB |`,
      );
    }
    for (const [name, figures] of runs) {
      if (figures.account.extra > 0) console.log(`${name}: extra ${describeExtra(figures.account)}`);
      const reissued = figures.account.requests.filter((r) => r.revision !== '1' || r.deleted);
      if (reissued.length > 0) {
        console.log(`${name}: re-issued by cert-manager: ${reissued.map((r) => `${r.name}${r.deleted ? ' (deleted)' : ''}: ${r.enrolments}`).join(', ')}`);
      }
    }
    console.log(`time with kills / fault-free: ${(killed.readyMs / free.readyMs).toFixed(2)}× (aim ≤ 2×); load average after: ${load()}`);
  } finally {
    api.close();
  }
}
