// Mocha helper for cluster tests: the running test bed (started by the root hooks in
// hooks.ts when needed), a fresh namespace per test, and cleanup of what the test made.
//
//   describe('my controller', function () {
//     const ns = useNamespace('keystore');
//     it('…', async function () {
//       const { name, kc } = ns();
//       await ns().create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { a: 'b' } });
//     });
//   });
//
// The bed has no kube-controller-manager: no garbage collector and no namespace controller. So
// cleanup deletes every namespaced object in the test's namespace (as the namespace controller
// would), then the namespace, then finalizes it; tracked cluster-scoped objects are deleted too.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { status, up, userKubeconfig, type BedInfo, type UpOptions } from '../../scripts/testbed/bed.js';
import { contextName } from '../../scripts/testbed/kubeconfig.js';
import { rawRequest } from '../../scripts/testbed/request.js';

export { rawRequest };

export type { BedInfo };

let current: BedInfo | undefined;

/**
 * Starts the bed if it is not running (building it first if needed; fails with the reason),
 * or switches cert-manager's approver: `ensureBed({ approver: false })` before tests of
 * unapproved/Denied requests, `ensureBed({ approver: true })` after them.
 */
export async function ensureBed(options: Pick<UpOptions, 'approver' | 'log'> = {}): Promise<BedInfo> {
  current = await up({ ...options, startedBy: 'tests' });
  return current;
}

/** The bed the run uses; throws when the root hooks did not start it (wrong mocha config). */
export async function bed(): Promise<BedInfo> {
  current ??= await status();
  if (!current) throw new Error('the test bed is not running: run cluster tests with `npm run test:cluster`');
  return current;
}

/** An admin (system:masters) KubeConfig for the bed. */
export async function adminKubeConfig(): Promise<KubeConfig> {
  const kc = new KubeConfig();
  kc.loadFromFile((await bed()).kubeconfig);
  return kc;
}

/** A KubeConfig for `user` in `groups`: a client certificate signed by the bed's client CA. */
export async function userKubeConfig(user: string, groups: readonly string[] = []): Promise<KubeConfig> {
  await bed();
  const kc = new KubeConfig();
  kc.loadFromFile(await userKubeconfig(user, groups));
  return kc;
}

/**
 * A KubeConfig that authenticates as ServiceAccount `namespace/name` with a token from the
 * TokenRequest API (the ServiceAccount must exist: the bed runs no ServiceAccount controller).
 */
export async function serviceAccountKubeConfig(namespace: string, name: string, expirationSeconds = 3600): Promise<KubeConfig> {
  const admin = await adminKubeConfig();
  const token = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds } },
  });
  if (!token.status?.token) throw new Error(`no token issued for ServiceAccount ${namespace}/${name}`);
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('bed kubeconfig has no cluster');
  const kc = new KubeConfig();
  const user = `system:serviceaccount:${namespace}:${name}`;
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: user, token: token.status.token }],
    contexts: [{ name: contextName, cluster: cluster.name, user }],
    currentContext: contextName,
  });
  return kc;
}

/** A copy of `kc` whose current context defaults to `namespace`. */
export function withDefaultNamespace(kc: KubeConfig, namespace: string): KubeConfig {
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: kc.clusters,
    users: kc.users,
    contexts: kc.contexts.map((c) => (c.name === kc.currentContext ? { ...c, namespace } : c)),
    currentContext: kc.currentContext,
  });
  return copy;
}

interface ApiResource {
  readonly name: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
}

/** URL templates (…/namespaces/{ns}/plural) of every namespaced kind that supports deletecollection. */
async function discoverNamespacedCollections(kc: KubeConfig): Promise<string[]> {
  // Rediscovered on every cleanup: a test may have added kinds (CRDs) since the last one.
  const groupVersions = ['/api/v1'];
  const apis = (await rawRequest(kc, 'GET', '/apis')).body as { groups?: { preferredVersion?: { groupVersion: string } }[] };
  for (const group of apis.groups ?? []) {
    if (group.preferredVersion) groupVersions.push(`/apis/${group.preferredVersion.groupVersion}`);
  }
  const paths: string[] = [];
  for (const gv of groupVersions) {
    const list = (await rawRequest(kc, 'GET', gv)).body as { resources?: ApiResource[] };
    for (const r of list.resources ?? []) {
      if (r.namespaced && !r.name.includes('/') && r.verbs.includes('deletecollection')) {
        paths.push(`${gv}/namespaces/{ns}/${r.name}`);
      }
    }
  }
  return paths;
}

/** Deletes everything in `namespace`, then the namespace itself, finalizing it (best effort). */
export async function deleteNamespace(kc: KubeConfig, namespace: string): Promise<void> {
  for (const prefix of await discoverNamespacedCollections(kc)) {
    await rawRequest(kc, 'DELETE', prefix.replace('{ns}', encodeURIComponent(namespace))).catch(() => undefined);
  }
  const core = kc.makeApiClient(CoreV1Api);
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  // No namespace controller: clear spec.finalizers ourselves so the namespace goes away.
  const ns = await core.readNamespace({ name: namespace }).catch(() => undefined);
  if (ns) {
    await core.replaceNamespaceFinalize({ name: namespace, body: { ...ns, spec: { finalizers: [] } } }).catch(() => undefined);
  }
}

export interface TestNamespace {
  /** The namespace's name, unique per test. */
  readonly name: string;
  /** Admin KubeConfig. */
  readonly kc: KubeConfig;
  /** Generic object client on `kc`. */
  readonly objects: KubernetesObjectApi;
  /** Creates `object` (in this namespace unless it names another or is cluster-scoped) and tracks it for cleanup. */
  create<T extends KubernetesObject>(object: T): Promise<T>;
  /** Tracks an object created some other way (cluster-scoped ones especially) for cleanup. */
  track(object: KubernetesObject): void;
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === 404;
}

/**
 * Registers beforeEach/afterEach in the calling describe(): each test gets a new namespace
 * `<prefix>-<random>`; afterEach deletes tracked objects, everything in the namespace, and the namespace.
 */
export function useNamespace(prefix = 'test'): () => TestNamespace {
  let ns: TestNamespace | undefined;
  let tracked: KubernetesObject[] = [];

  beforeEach(async function () {
    const name = `${prefix}-${randomBytes(4).toString('hex')}`;
    const admin = await adminKubeConfig();
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name, labels: { 'cmpv2-testbed/test': 'true' } } } });
    // The test's namespace is the context's default, so namespaced objects without one land there.
    const kc = withDefaultNamespace(admin, name);
    const objects = KubernetesObjectApi.makeApiClient(kc);
    tracked = [];
    ns = {
      name,
      kc,
      objects,
      async create<T extends KubernetesObject>(object: T): Promise<T> {
        const created = await objects.create(object);
        tracked.push(created);
        return created;
      },
      track(object: KubernetesObject): void {
        tracked.push(object);
      },
    };
  });

  afterEach(async function () {
    this.timeout(60000);
    if (!ns) return;
    const { kc, objects, name } = ns;
    ns = undefined;
    for (const object of tracked.reverse()) {
      await objects.delete(object).catch((err: unknown) => {
        if (!isNotFound(err)) console.warn(`cleanup: ${object.kind} ${object.metadata?.name}: ${String(err)}`);
      });
    }
    await deleteNamespace(kc, name);
  });

  return () => {
    if (!ns) throw new Error('useNamespace(): the namespace exists only inside a test (it/beforeEach)');
    return ns;
  };
}

/** Polls `probe` until it returns a value other than undefined; fails after `timeoutMs` naming `what`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await sleep(250);
  }
}
