// Our kubeconfig reader against kubectl's rules (merging, relative paths, data fields, token
// files, exec plugins), and the credentials it yields as the API server receives them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { KubeApi } from '../../src/k8s/apiClient.js';
import { credentialHeaders, inClusterConnection, KubeconfigError, loadKubeconfigFiles } from '../../src/k8s/kubeConfig.js';
import { sendJson, startFakeApi } from './fakeApiServer.js';

describe('k8s/kubeConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, config: unknown): string {
    const path = join(dir, name);
    writeFileSync(path, typeof config === 'string' ? config : stringify(config));
    return path;
  }

  it('merges files as kubectl does: the first to name an entry or the current-context wins; relative paths resolve against their file', () => {
    writeFileSync(join(dir, 'ca.crt'), 'CA-FROM-FILE');
    const first = file('a.yaml', {
      'current-context': 'dev',
      clusters: [{ name: 'c1', cluster: { server: 'https://first:6443', 'certificate-authority': 'ca.crt', 'tls-server-name': 'api.internal' } }],
      contexts: [{ name: 'dev', context: { cluster: 'c1', user: 'u1' } }],
    });
    const second = file('b.yaml', {
      'current-context': 'prod',
      clusters: [{ name: 'c1', cluster: { server: 'https://second:6443' } }],
      users: [
        { name: 'u1', user: { 'client-certificate-data': Buffer.from('CERT').toString('base64'), 'client-key-data': Buffer.from('KEY').toString('base64') } },
      ],
      contexts: [{ name: 'prod', context: { cluster: 'c1' } }],
    });
    const connection = loadKubeconfigFiles([first, second]);
    assert.equal(connection.server, 'https://first:6443');
    assert.equal(connection.ca?.toString(), 'CA-FROM-FILE');
    assert.equal(connection.tlsServerName, 'api.internal');
    assert.equal(connection.cert?.toString(), 'CERT');
    assert.equal(connection.key?.toString(), 'KEY');
    assert.deepEqual(connection.credentials, { kind: 'none' });
    assert.equal(loadKubeconfigFiles([first, second], 'prod').server, 'https://first:6443', "cluster c1 is the first file's");
  });

  it('tokens, token files (re-read as they rotate) and basic auth become the Authorization header', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'first\n');
    const config = file('k.yaml', {
      'current-context': 'a',
      clusters: [{ name: 'c', cluster: { server: 'https://k:6443' } }],
      users: [
        { name: 'static', user: { token: 'abc' } },
        { name: 'rotating', user: { tokenFile: 'token' } },
        { name: 'basic', user: { username: 'admin', password: 'secret' } },
      ],
      contexts: [
        { name: 'a', context: { cluster: 'c', user: 'static' } },
        { name: 'b', context: { cluster: 'c', user: 'rotating' } },
        { name: 'd', context: { cluster: 'c', user: 'basic' } },
      ],
    });
    assert.deepEqual((await credentialHeaders(loadKubeconfigFiles([config]).credentials)).headers, { Authorization: 'Bearer abc' });
    const rotating = loadKubeconfigFiles([config], 'b').credentials;
    assert.deepEqual((await credentialHeaders(rotating)).headers, { Authorization: 'Bearer first' });
    writeFileSync(tokenFile, 'second');
    assert.deepEqual((await credentialHeaders(rotating)).headers, { Authorization: 'Bearer second' });
    assert.deepEqual((await credentialHeaders(loadKubeconfigFiles([config], 'd').credentials)).headers, {
      Authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}`,
    });
  });

  it('an exec credential plugin: its ExecCredential token with its expiry; a failing plugin is named', async () => {
    const plugin = join(dir, 'plugin.mjs');
    writeFileSync(
      plugin,
      `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'from-' + process.env.WHO, expirationTimestamp: '2030-01-01T00:00:00Z' } }));`,
    );
    const config = file('k.yaml', {
      'current-context': 'a',
      clusters: [{ name: 'c', cluster: { server: 'https://k:6443' } }],
      users: [
        {
          name: 'u',
          user: {
            exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: ['plugin.mjs'], env: [{ name: 'WHO', value: 'plugin' }] },
          },
        },
        { name: 'broken', user: { exec: { command: process.execPath, args: ['-e', 'process.exit(3)'] } } },
      ],
      contexts: [
        { name: 'a', context: { cluster: 'c', user: 'u' } },
        { name: 'b', context: { cluster: 'c', user: 'broken' } },
      ],
    });
    const credential = await credentialHeaders(loadKubeconfigFiles([config]).credentials);
    assert.deepEqual(credential, { headers: { Authorization: 'Bearer from-plugin' }, expiresAt: Date.parse('2030-01-01T00:00:00Z') });
    await assert.rejects(
      credentialHeaders(loadKubeconfigFiles([config], 'b').credentials),
      (err: Error) => err instanceof KubeconfigError && /exec credential plugin .* failed/.test(err.message),
    );
  });

  it('refuses what it cannot use with one line naming the problem', () => {
    const noContext = file('n.yaml', { clusters: [{ name: 'c', cluster: { server: 'https://k' } }] });
    assert.throws(() => loadKubeconfigFiles([noContext]), /sets no current-context/);
    const dangling = file('d.yaml', { 'current-context': 'x', contexts: [{ name: 'x', context: { cluster: 'gone', user: 'u' } }] });
    assert.throws(() => loadKubeconfigFiles([dangling]), /names cluster gone, which the kubeconfig does not define/);
    const provider = file('p.yaml', {
      'current-context': 'x',
      clusters: [{ name: 'c', cluster: { server: 'https://k' } }],
      users: [{ name: 'u', user: { 'auth-provider': { name: 'gcp' } } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    });
    assert.throws(() => loadKubeconfigFiles([provider]), /auth-provider .* use an exec credential plugin/);
    assert.throws(() => loadKubeconfigFiles([file('y.yaml', 'clusters: [unclosed')]), /is not YAML/);
    assert.throws(() => loadKubeconfigFiles([file('s.yaml', { clusters: [{ name: 'c', cluster: {} }] })]), /is not valid at clusters\.0\.cluster\.server/);
    assert.throws(() => loadKubeconfigFiles([join(dir, 'missing.yaml')]), /cannot read the kubeconfig .*missing\.yaml: ENOENT/);
  });

  it('in a pod: the service host and port from the environment, the mounted CA and token file', async () => {
    writeFileSync(join(dir, 'ca.crt'), 'POD-CA');
    writeFileSync(join(dir, 'token'), 'sa-token');
    const connection = inClusterConnection({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, dir);
    assert.equal(connection.server, 'https://[fd00::1]:443');
    assert.equal(connection.ca?.toString(), 'POD-CA');
    assert.deepEqual((await credentialHeaders(connection.credentials)).headers, { Authorization: 'Bearer sa-token' });
    assert.throws(() => inClusterConnection({}, dir), /not in a pod/);
  });

  it('the API client sends the credential it yields (a plain HTTP API server here)', async () => {
    const fake = await startFakeApi((_req, res) => sendJson(res, 200, { kind: 'NamespaceList', metadata: {}, items: [] }));
    try {
      const url = new URL(fake.url);
      const config = file('k.yaml', {
        'current-context': 'a',
        clusters: [{ name: 'c', cluster: { server: url.origin } }],
        users: [{ name: 'u', user: { token: 'sent-token' } }],
        contexts: [{ name: 'a', context: { cluster: 'c', user: 'u' } }],
      });
      const api = KubeApi.fromConnection(loadKubeconfigFiles([config]));
      await api.request('GET', '/api/v1/namespaces');
      api.close();
      assert.equal(fake.requests[0].headers.authorization, 'Bearer sent-token');
    } finally {
      await fake.close();
    }
  });
});
