// Where the test bed keeps its sources, binaries, keys, state and logs. Everything under
// .testbed/ is git-ignored and disposable; testbed/ holds the committed Go modules.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One Go module under testbed/ and the binary built from it. */
export interface GoBinary {
  /** Binary file name under .testbed/bin. */
  readonly name: string;
  /** Module folder under testbed/. */
  readonly moduleDir: string;
  /** Extra `-ldflags` (version stamping). */
  readonly ldflags: readonly string[];
  /**
   * The package to build, when it is not the module folder's own main: a `tool` of its go.mod
   * (helm's cmd/helm is a main package, which no main.go can import).
   */
  readonly pkg?: string;
  /**
   * Built only when no command of this name is on PATH (or TESTBED_BUILD_<NAME>=1): a tool the
   * machine usually has, such as kubectl.
   */
  readonly onlyWhenMissing?: string;
}

/** helm's version, as its Makefile stamps it; its Kubernetes version follows its client-go (v0.37 → 1.37). */
export const helmVersion = 'v3.22.0';


export const kubernetesVersion = { gitVersion: 'v1.36.3', major: '1', minor: '36' } as const;

const versionStamp = (pkg: string): string[] => [
  `-X ${pkg}.gitVersion=${kubernetesVersion.gitVersion}`,
  `-X ${pkg}.gitMajor=${kubernetesVersion.major}`,
  `-X ${pkg}.gitMinor=${kubernetesVersion.minor}`,
  // The proxy's module zip carries no commit; a fixed value keeps rebuilds reproducible.
  `-X ${pkg}.gitCommit=0000000000000000000000000000000000000000`,
  `-X ${pkg}.gitTreeState=clean`,
  `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`,
];

export const binaries: readonly GoBinary[] = [
  // Longest build first, so `build` reports the slow part early.
  {
    name: 'kube-apiserver',
    moduleDir: 'kube-apiserver',
    ldflags: [...versionStamp('k8s.io/component-base/version'), ...versionStamp('k8s.io/client-go/pkg/version')],
  },
  { name: 'etcd', moduleDir: 'etcd', ldflags: [] },
  { name: 'cert-manager-controller', moduleDir: 'cert-manager', ldflags: [] },
  // Not part of the running bed: `kubectl kustomize` and dry runs of the deploy tests, where the
  // machine has no kubectl (then .ci/run puts .testbed/bin on PATH).
  {
    name: 'kubectl',
    moduleDir: 'kubectl',
    onlyWhenMissing: 'kubectl',
    ldflags: [...versionStamp('k8s.io/component-base/version'), ...versionStamp('k8s.io/client-go/pkg/version')],
  },
  // Not part of the running bed: the chart's tests (lint, template, install, upgrade, uninstall).
  {
    name: 'helm',
    moduleDir: 'helm',
    pkg: 'helm.sh/helm/v3/cmd/helm',
    ldflags: [
      `-X helm.sh/helm/v3/internal/version.version=${helmVersion}`,
      '-X helm.sh/helm/v3/internal/version.gitTreeState=clean',
      '-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1',
      '-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=37',
      '-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1',
      '-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=37',
    ],
  },
];

const bedDir = path.join(repoRoot, '.testbed');

/**
 * TESTBED_INSTANCE=<name> runs a separate bed (own ports, etcd data, state, logs, kubeconfig;
 * same binaries and keys) under .testbed/instances/<name>: the fault suite stops and pauses its
 * bed's processes, which must never disturb another test run sharing the default bed.
 */
const instance = process.env.TESTBED_INSTANCE?.trim() || undefined;
if (instance !== undefined && !/^[a-z0-9-]{1,32}$/.test(instance)) {
  throw new Error(`TESTBED_INSTANCE must be 1 to 32 of a-z, 0-9 and '-', got ${JSON.stringify(instance)}`);
}
const instanceDir = instance === undefined ? bedDir : path.join(bedDir, 'instances', instance);

export const layout = {
  modulesDir: path.join(repoRoot, 'testbed'),
  bedDir,
  binDir: path.join(bedDir, 'bin'),
  /** cert-manager's CRDs, copied out of the Go module cache at build time. */
  certManagerCrdsDir: path.join(bedDir, 'bin', 'cert-manager-crds'),
  pkiDir: path.join(bedDir, 'pki'),
  /** Which bed: undefined for the default one (see TESTBED_INSTANCE). */
  instance,
  runDir: path.join(instanceDir, 'run'),
  etcdDataDir: path.join(instanceDir, 'run', 'etcd'),
  stateFile: path.join(instanceDir, 'run', 'state.json'),
  lockFile: path.join(instanceDir, 'run', 'lock'),
  logsDir: path.join(instanceDir, 'logs'),
  usersDir: path.join(bedDir, 'users'),
  kubeconfig: path.join(instanceDir, 'kubeconfig'),
  /** Kubeconfig the cert-manager controller runs with (its own client certificate). */
  certManagerKubeconfig:
    instance === undefined ? path.join(bedDir, 'pki', 'cert-manager.kubeconfig') : path.join(instanceDir, 'run', 'cert-manager.kubeconfig'),
  projectCrdsDir: path.join(repoRoot, 'crds'),
} as const;

export const binaryPath = (name: string): string => path.join(layout.binDir, name);
