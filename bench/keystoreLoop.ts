// Keystore-loop benchmark on the test bed: the operator's KeystoreLoop runs in a child process
// (so its RSS is its own), watching all namespaces. With many unrelated 100 KiB Secrets in the
// cluster, N annotated kubernetes.io/tls Secrets are created at once → time until every one
// holds its stores; then every ca.crt is changed (a CA rotation) → time until all are rebuilt;
// the operator's peak RSS. The bed's etcd keeps its default 2 GiB quota, so the unrelated
// Secrets are capped below it (UNRELATED_SECRETS); the figure printed says how many were used.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { cpuProfileFlags, deployedNodeOptions } from './nodeOptions.js';
import { KubeConfig } from '@kubernetes/client-node';
import { KEYSTORE_ANNOTATIONS } from '../src/api/keystoreAnnotations.js';
import { KubeApi } from '../src/k8s/apiClient.js';
import { METADATA_LIST_ACCEPT } from '../src/k8s/informer.js';
import { collectionPath, SECRETS } from '../src/k8s/resources.js';
import type { KubeList, KubeObject } from '../src/k8s/meta.js';
import { up } from '../scripts/testbed/bed.js';
import { cpuSeconds as bedCpuSeconds, cpuSpent } from './cpuSeconds.js';
import { deleteNamespace } from '../test/cluster/bed.js';
import { Pki } from '../test/keystore/fixtures.js';
import { inParallel } from '../test/peer/keystore/javaTools.js';

const ANNOTATED = Number(process.env.BENCH_ANNOTATED_SECRETS ?? 2000);
/** 20,000 × 100 KiB would exceed etcd's default 2 GiB quota on the bed (and freeze it for everyone). */
const UNRELATED = Number(process.env.BENCH_UNRELATED_SECRETS ?? 8000);
const UNRELATED_BYTES = 100 * 1024;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

type ChildMessage =
  { type: 'ready' } | { type: 'memory'; cpuSeconds: number; maxRssMiB: number; rssMiB: number; heapMiB: number; built: number; cachedSecrets: number };

// ---- the operator side (child process) -------------------------------------------------------
// Plain node on the compiled dist/ (as `cmpv2-operator run` is deployed), not tsx: tsx's own
// transform cache would add ~100 MiB to the figure. MODE=floor loads the same modules, no loop.
const CHILD_SOURCE = `
const dist = process.env.DIST_DIR;
const { KubeApi } = await import(dist + '/k8s/apiClient.js');
const { loadKubeconfigFiles } = await import(dist + '/k8s/kubeConfig.js');
const { Manager } = await import(dist + '/k8s/manager.js');
const { SECRETS } = await import(dist + '/k8s/resources.js');
const { addKeystoreLoop } = await import(dist + '/controllers/keystoreLoop.js');
const memory = (built, cachedSecrets) => ({ type: 'memory', cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6, maxRssMiB: process.resourceUsage().maxRSS / 1024, rssMiB: process.memoryUsage().rss / 2 ** 20, heapMiB: process.memoryUsage().heapUsed / 2 ** 20, built, cachedSecrets });
if (process.env.MODE === 'floor') {
  process.send(memory(0, 0), () => process.exit(0));
} else {
  const api = KubeApi.fromConnection(loadKubeconfigFiles([process.env.KUBECONFIG_PATH]));
  let built = 0;
  // Events cost the API server, not the loop: counted here, not sent.
  const events = { record: async (_object, event) => { if (event.reason === 'StoresBuilt') built += 1; } };
  const manager = new Manager({ api, namespaces: [] });
  addKeystoreLoop(manager, { api, events, workers: Number(process.env.BENCH_WORKERS ?? 4) });
  await manager.start();
  const secrets = manager.cache.informer(SECRETS, { metadataOnly: true });
  process.send({ type: 'ready' });
  process.on('message', (message) => {
    if (message.type === 'memory') process.send(memory(built, secrets.store.size));
    if (message.type === 'stop') manager.shutdown().then(() => { api.close(); process.exit(0); });
  });
}
`;

function startChild(mode: 'loop' | 'floor', kubeconfig = ''): ChildProcess {
  return spawn(process.execPath, [...(mode === 'loop' ? cpuProfileFlags() : []), '--input-type=module', '-e', CHILD_SOURCE], {
    cwd: ROOT,
    // The operator as the Deployment runs it (its NODE_OPTIONS).
    env: {
      ...process.env,
      MODE: mode,
      DIST_DIR: pathToFileURL(join(ROOT, 'dist')).href,
      KUBECONFIG_PATH: kubeconfig,
      NODE_OPTIONS: deployedNodeOptions('deploy/deployment.yaml'),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

// ---- the bench side ---------------------------------------------------------------------------

const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64');
const seconds = (ms: number): string => (ms / 1000).toFixed(1);

async function createNamespace(api: KubeApi, name: string): Promise<void> {
  await api.request('POST', '/api/v1/namespaces', { body: { metadata: { name, labels: { 'cmpv2-testbed/test': 'true' } } } });
}

/** Hash annotations of the annotated Secrets, read as metadata only. */
async function hashes(api: KubeApi, namespace: string): Promise<Map<string, string | undefined>> {
  const result = new Map<string, string | undefined>();
  let continueToken: string | undefined;
  do {
    const page = await api.request<KubeList<KubeObject>>('GET', collectionPath(SECRETS, namespace), {
      accept: METADATA_LIST_ACCEPT,
      query: { limit: 1000, continue: continueToken },
    });
    for (const item of page.items) result.set(item.metadata.name ?? '', item.metadata.annotations?.[KEYSTORE_ANNOTATIONS.hash]);
    continueToken = page.metadata.continue || undefined;
  } while (continueToken);
  return result;
}

/**
 * Deletes every Secret of `namespace`, page by page until none is left: one deletecollection of
 * thousands of 100 KiB Secrets can outlast a request timeout, and the bed's etcd (2 GiB quota)
 * must not keep them.
 */
async function deleteSecrets(api: KubeApi, namespace: string): Promise<void> {
  for (let round = 0; round < 20; round++) {
    await api.request('DELETE', collectionPath(SECRETS, namespace), { query: { limit: 1000 }, timeoutMs: 300_000 }).catch(() => undefined);
    const left = await api.request<KubeList<KubeObject>>('GET', collectionPath(SECRETS, namespace), { accept: METADATA_LIST_ACCEPT, query: { limit: 1 } });
    // A metadata-only list of nothing comes back with `items: null`.
    if ((left.items ?? []).length === 0) return;
  }
  console.log(`keystore-loop bench: Secrets are still left in ${namespace}; delete them with kubectl`);
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`keystore-loop bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** RSS of the child process with the same modules loaded, no loop running. */
function floorRss(): Promise<number> {
  return new Promise((resolve, reject) => {
    const floor = startChild('floor');
    floor.once('message', (message: ChildMessage) => resolve(message.type === 'memory' ? message.maxRssMiB : NaN));
    floor.once('exit', (code) => reject(new Error(`the floor process exited (${String(code)}) before reporting`)));
  });
}

export async function keystoreLoopBench(): Promise<void> {
  // The child runs the compiled operator: build dist/ from the current sources first.
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  } catch {
    console.log('keystore-loop bench: tsc reported errors (it still emits dist/); running on what it emitted');
  }
  const floor = await floorRss();
  const bed = await up({ log: (line) => console.log(line) });
  const kc = new KubeConfig();
  kc.loadFromFile(bed.kubeconfig);
  const api = await KubeApi.fromKubeConfig(kc);
  const suffix = randomBytes(3).toString('hex');
  const unrelatedNs = `bench-unrelated-${suffix}`;
  const storesNs = `bench-keystore-${suffix}`;
  const pki = new Pki();
  // Started once the unrelated Secrets exist, so its first list holds them all.
  let child: ChildProcess | undefined;
  let childExited = false;
  const ask = <T extends ChildMessage['type']>(type: T, request?: string): Promise<Extract<ChildMessage, { type: T }>> =>
    new Promise((resolve, reject) => {
      const process = child!;
      const onMessage = (message: ChildMessage): void => {
        if (message.type !== type) return;
        process.off('message', onMessage);
        resolve(message as Extract<ChildMessage, { type: T }>);
      };
      process.on('message', onMessage);
      process.once('exit', (code) => reject(new Error(`the operator process exited (${String(code)})`)));
      if (request) process.send({ type: request });
    });
  // A CA rotation: every annotated Secret's ca.crt becomes `caCrt`, 32 writes at a time.
  const rotateCa = (caCrt: string) =>
    inParallel(
      Array.from(
        { length: ANNOTATED },
        (_, i) => () =>
          api.request('PATCH', `${collectionPath(SECRETS, storesNs)}/app-${i}`, {
            body: { data: { 'ca.crt': b64(caCrt) } },
            contentType: 'application/merge-patch+json',
          }),
      ),
      32,
    );
  const stopChild = async (): Promise<void> => {
    if (!child || childExited) return;
    const running = child;
    running.send({ type: 'stop' });
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        running.kill('SIGKILL');
        resolve(undefined);
      }, 20_000);
      running.once('exit', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
  };
  try {
    await createNamespace(api, unrelatedNs);
    await createNamespace(api, storesNs);

    // 1. Unrelated Secrets of 100 KiB, 16 writes at a time.
    const filler = b64(randomBytes(UNRELATED_BYTES));
    let started = performance.now();
    await inParallel(
      Array.from(
        { length: UNRELATED },
        (_, i) => () =>
          api.request('POST', collectionPath(SECRETS, unrelatedNs), { body: { metadata: { name: `filler-${i}` }, type: 'Opaque', data: { blob: filler } } }),
      ),
      16,
    );
    console.log(`unrelated Secrets: ${UNRELATED} × 100 KiB created in ${seconds(performance.now() - started)} s`);

    // 2. The operator starts (lists every Secret of the cluster, metadata only).
    started = performance.now();
    child = startChild('loop', bed.kubeconfig);
    child.on('exit', () => (childExited = true));
    await ask('ready');
    const idle = await ask('memory', 'memory');
    console.log(
      `operator synced in ${seconds(performance.now() - started)} s: ${idle.cachedSecrets} Secrets cached (metadata), RSS ${idle.rssMiB.toFixed(0)} MiB`,
    );

    // 3. N annotated TLS Secrets at once (10 distinct leaves; the work per Secret is the same).
    const { root, leaf, tlsCrt } = pki.chain('loop bench');
    const [rotatedRoot] = pki.roots('loop bench rotated', 1);
    started = performance.now();
    await inParallel(
      Array.from(
        { length: ANNOTATED },
        (_, i) => () =>
          api.request('POST', collectionPath(SECRETS, storesNs), {
            body: {
              metadata: { name: `app-${i}`, annotations: { [KEYSTORE_ANNOTATIONS.formats]: 'jks,pkcs12,pem' } },
              type: 'kubernetes.io/tls',
              data: { 'tls.crt': b64(tlsCrt), 'tls.key': b64(leaf.keyPem), 'ca.crt': b64(root.certPem) },
            },
          }),
      ),
      32,
    );
    const createdIn = performance.now() - started;
    await waitUntil('all stores', async () => [...(await hashes(api, storesNs)).values()].filter((h) => h !== undefined).length >= ANNOTATED, 1_800_000);
    const firstBuild = performance.now() - started;
    const before = await hashes(api, storesNs);
    const beforeRotation = await ask('memory', 'memory');

    // 4. A CA rotation: every ca.crt changes at once.
    const bedBefore = await bedCpuSeconds();
    started = performance.now();
    await rotateCa(rotatedRoot.certPem + root.certPem);
    const patchedIn = performance.now() - started;
    await waitUntil(
      'all rebuilt',
      async () => {
        const now = await hashes(api, storesNs);
        return [...now].every(([name, hash]) => hash !== undefined && hash !== before.get(name));
      },
      1_800_000,
    );
    const rotation = performance.now() - started;
    const bedAfter = await bedCpuSeconds();
    const memory = await ask('memory', 'memory');

    console.log(
      `| annotated Secrets | unrelated Secrets (100 KiB) | first build: all stores | CA rotation: all rebuilt | operator peak RSS | RSS synced, idle | floor RSS (modules loaded, no loop) | peak − floor |`,
    );
    console.log(`|---:|---:|---:|---:|---:|---:|---:|---:|`);
    console.log(
      `| ${ANNOTATED} | ${UNRELATED} | ${seconds(firstBuild)} s (creates took ${seconds(createdIn)} s) | ${seconds(rotation)} s (patches took ${seconds(patchedIn)} s) | ${memory.maxRssMiB.toFixed(0)} MiB | ${idle.rssMiB.toFixed(0)} MiB | ${floor.toFixed(0)} MiB | ${(memory.maxRssMiB - floor).toFixed(0)} MiB |`,
    );
    const cpu = memory.cpuSeconds - beforeRotation.cpuSeconds;
    console.log(`operator CPU for the rotation: ${cpu.toFixed(1)} s (${((cpu * 1000) / ANNOTATED).toFixed(1)} ms per Secret: watch event, GET, build, PATCH)`);
    console.log(`CPU of the rest during the rotation: ${cpuSpent(bedBefore, bedAfter)}`);

    // 5. The API floor of a rotation, the operator stopped: the same rotation PATCHes, and for each
    // Secret the GET and the PATCH of its stores (the bytes it holds now, hash annotation changed)
    // that the loop sends, by the same number of workers, with no build in between.
    await stopChild();
    const [replayRoot] = pki.roots('loop bench replay', 1);
    const replayBefore = await bedCpuSeconds();
    started = performance.now();
    let replayed = 0;
    const rotate = rotateCa(replayRoot.certPem + root.certPem);
    const rewrite = inParallel(
      Array.from({ length: ANNOTATED }, (_, i) => async () => {
        const secret = await api.request<KubeObject & { data?: Record<string, string> }>('GET', `${collectionPath(SECRETS, storesNs)}/app-${i}`);
        const stores = Object.fromEntries(
          Object.entries(secret.data ?? {}).filter(([key]) => key.startsWith('keystore') || key.startsWith('truststore') || key === 'key.pem'),
        );
        await api.request('PATCH', `${collectionPath(SECRETS, storesNs)}/app-${i}`, {
          body: { metadata: { annotations: { [KEYSTORE_ANNOTATIONS.hash]: `replay-${i}` } }, data: stores },
          contentType: 'application/merge-patch+json',
        });
        replayed += 1;
      }),
      Number(process.env.BENCH_WORKERS ?? 4),
    );
    await Promise.all([rotate, rewrite]);
    const replay = performance.now() - started;
    const replayAfter = await bedCpuSeconds();
    console.log(
      `API floor (operator stopped; the rotation PATCHes plus ${replayed} × GET + store PATCH, no builds): ${seconds(replay)} s → rotation ÷ floor ${(rotation / replay).toFixed(2)}×; CPU ${cpuSpent(replayBefore, replayAfter)}`,
    );
    console.log(
      `(store sets built: ${memory.built}; ${memory.cachedSecrets} Secrets in the operator's metadata cache; load average now ${(await import('node:os'))
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')})`,
    );
  } finally {
    await stopChild();
    pki.dispose();
    for (const namespace of [storesNs, unrelatedNs]) {
      await deleteSecrets(api, namespace);
      await deleteNamespace(kc, namespace);
    }
    api.close();
  }
}
