// The pure reconcile and the target patch: source + target in, patch and Events out.
import assert from 'node:assert/strict';
import { KEYSTORE_ANNOTATIONS as a, MANAGED_LABEL, FAILURE_REASON, BUILT_REASON } from '../../../src/api/keystoreAnnotations.js';
import { reconcileKeystore, type KeystoreReconcileInput, type KeystoreSource } from '../../../src/controllers/keystore/reconcile.js';
import type { Certificate } from '../../../src/api/certManager.js';
import type { Secret } from '../../../src/k8s/meta.js';
import { Pki } from '../../keystore/fixtures.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('controllers/keystore/reconcile', () => {
  const pki = new Pki();
  const { root, leaf, tlsCrt } = pki.chain('reconcile');
  after(() => pki.dispose());

  const tlsData = (): Record<string, string> => ({ 'tls.crt': b64(tlsCrt), 'tls.key': b64(leaf.keyPem), 'ca.crt': b64(root.certPem) });
  const secret = (annotations: Record<string, string> = {}, type = 'kubernetes.io/tls', extra: Record<string, string> = {}): Secret => ({
    metadata: { name: 'web-tls', namespace: 'apps', resourceVersion: '3', annotations },
    type,
    data: { ...tlsData(), ...extra },
  });
  const certificate = (annotations: Record<string, string>, keystores?: Certificate['spec']['keystores']): Certificate => ({
    metadata: { name: 'web', namespace: 'apps', annotations },
    spec: { secretName: 'web-tls', issuerRef: { name: 'ca' }, keystores },
  });
  const run = (source: KeystoreSource, target: Secret | undefined): ReturnType<typeof reconcileKeystore> => {
    const input: KeystoreReconcileInput = { source, target, secrets: new Map(), configMaps: new Map(), newPassword: () => 'abcdefghijklmnopqrstuvwx' };
    return reconcileKeystore(input);
  };

  const table: [string, () => ReturnType<typeof reconcileKeystore>, string, string | undefined][] = [
    ['no opt-in → nothing', () => run({ kind: 'Secret', secret: secret() }, secret()), 'none', undefined],
    ['no target yet → waiting', () => run({ kind: 'Certificate', certificate: certificate({ [a.formats]: 'pem' }) }, undefined), 'none', undefined],
    [
      'bad annotations → Warning',
      () => run({ kind: 'Certificate', certificate: certificate({ [a.formats]: 'zip' }) }, secret()),
      'fail',
      FAILURE_REASON.invalidAnnotations,
    ],
    [
      'an Opaque Secret opting in → Warning',
      () => {
        const s = secret({ [a.formats]: 'pem' }, 'Opaque');
        return run({ kind: 'Secret', secret: s }, s);
      },
      'fail',
      FAILURE_REASON.notTlsSecret,
    ],
    [
      'an annotated tls Secret → write',
      () => {
        const s = secret({ [a.formats]: 'pem' });
        return run({ kind: 'Secret', secret: s }, s);
      },
      'write',
      BUILT_REASON,
    ],
    ['an annotated Certificate → write', () => run({ kind: 'Certificate', certificate: certificate({ [a.formats]: 'jks' }) }, secret()), 'write', BUILT_REASON],
  ];
  for (const [label, call, action, reason] of table) {
    it(label, async () => {
      const result = await call();
      assert.equal(result.action, action);
      if (reason)
        assert.ok(
          result.events.some((e) => e.reason === reason),
          JSON.stringify(result.events),
        );
      else assert.deepEqual(result.events, []);
    });
  }

  it('the patch sets only our keys, the hash, the keys record and the managed label', async () => {
    const result = await run(
      { kind: 'Certificate', certificate: certificate({ [a.formats]: 'pem' }) },
      secret({}, 'kubernetes.io/tls', { 'user.txt': b64('mine') }),
    );
    assert.equal(result.action, 'write');
    if (result.action !== 'write') return;
    const patch = result.patch as { data: Record<string, string | null>; metadata: { annotations: Record<string, string>; labels: Record<string, string> } };
    assert.deepEqual(Object.keys(patch.data).sort(), ['key.pem', 'keystore.pem', 'truststore.pem']);
    assert.deepEqual(Object.keys(patch.metadata.annotations).sort(), [a.hash, a.keys]);
    assert.deepEqual(patch.metadata.labels, { [MANAGED_LABEL]: 'true' });
  });

  it('an unchanged target writes nothing and records no Event', async () => {
    const certificateSource: KeystoreSource = { kind: 'Certificate', certificate: certificate({ [a.formats]: 'pem' }) };
    const first = await run(certificateSource, secret());
    assert.equal(first.action, 'write');
    if (first.action !== 'write') return;
    const after: Secret = {
      ...secret(),
      data: { ...tlsData(), ...first.desired.data },
      metadata: {
        ...secret().metadata,
        annotations: { [a.hash]: first.desired.hash, [a.keys]: first.desired.keys.join(',') },
        labels: { [MANAGED_LABEL]: 'true' },
      },
    };
    const second = await run(certificateSource, after);
    assert.equal(second.action, 'none');
    assert.equal(second.action === 'none' && second.outcome, 'unchanged');
    assert.deepEqual(second.events, []);
  });

  it('reads spec.keystores of the Certificate', async () => {
    const result = await run({ kind: 'Certificate', certificate: certificate({ [a.formats]: 'pkcs12,pem' }, { pkcs12: { create: true } }) }, secret());
    assert.equal(result.action, 'write');
    if (result.action !== 'write') return;
    assert.deepEqual(result.desired.formats, ['pem']);
    assert.ok(result.events.some((e) => e.type === 'Warning' && /spec\.keystores\.pkcs12\.create is true/.test(e.message)));
  });
});
