// Where `run` finds its cluster: KUBECONFIG (existing files only), ~/.kube/config, the
// in-cluster ServiceAccount; with none of them a one-line reason instead of a TLS error later.
import assert from 'node:assert/strict';
import { NoKubeconfigError, SERVICE_ACCOUNT_TOKEN, findKubeconfig } from '../../src/operator/kubeconfigSource.js';

const lookup = (env: NodeJS.ProcessEnv, files: string[]) => ({ env, home: '/home/u', exists: (f: string) => files.includes(f) });

describe('operator/kubeconfigSource', () => {
  it('KUBECONFIG wins, keeping only the files that exist', () => {
    assert.deepEqual(findKubeconfig(lookup({ KUBECONFIG: '/a:/b' }, ['/b', '/home/u/.kube/config'])), { kind: 'files', files: ['/b'] });
  });

  it('a KUBECONFIG naming no existing file is an error naming it', () => {
    assert.throws(() => findKubeconfig(lookup({ KUBECONFIG: '/nope' }, ['/home/u/.kube/config'])), {
      name: 'NoKubeconfigError',
      message: 'KUBECONFIG names no existing file (/nope)',
    });
  });

  it('then ~/.kube/config, then the in-cluster ServiceAccount', () => {
    assert.deepEqual(findKubeconfig(lookup({}, ['/home/u/.kube/config'])), { kind: 'files', files: ['/home/u/.kube/config'] });
    const pod = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };
    assert.deepEqual(findKubeconfig(lookup(pod, [SERVICE_ACCOUNT_TOKEN])), { kind: 'in-cluster' });
  });

  it('nothing at all: one line saying what to set', () => {
    let error: unknown;
    try {
      findKubeconfig(lookup({ KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, []));
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof NoKubeconfigError);
    assert.equal(
      error.message,
      `no kubeconfig: set KUBECONFIG or write /home/u/.kube/config (in a pod, the ServiceAccount token at ${SERVICE_ACCOUNT_TOKEN} is used)`,
    );
    assert.ok(!error.message.includes('\n'));
  });
});
