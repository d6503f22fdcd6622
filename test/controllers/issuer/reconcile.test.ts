import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/k8s/clock.js';
import { formatTime } from '../../../src/k8s/conditions.js';
import { reconcileIssuer, type CheckOutcome, type IssuerReconcileResult } from '../../../src/controllers/issuer/reconcile.js';
import { PermanentError } from '../../../src/signer/errors.js';
import { clusterScoped, cmpSpec, issuer, issuerGeneration, issuerReady, issuerSpec, onapCertServiceSpec, type IssuerOption } from '../fixtures.js';

type Secrets = Record<string, string[]>;

interface Row {
  name: string;
  issuer: IssuerOption[];
  secrets: Secrets;
  force?: boolean;
  outcome?: CheckOutcome;
  expect: (result: IssuerReconcileResult, now: Date) => void;
}

const allSecrets: Secrets = {
  'apps/cmp-iak': ['password'],
  'apps/oom-cert-service-client-tls-secret': ['tls.crt', 'tls.key', 'ca.crt'],
  'cert-manager/cmp-iak': ['password'],
};

function update(result: IssuerReconcileResult) {
  assert.equal(result.action, 'update', JSON.stringify(result));
  if (result.action !== 'update') throw new Error('unreachable');
  return { ...result, ready: result.status?.conditions.find((c) => c.type === 'Ready') };
}

const rows: Row[] = [
  {
    name: 'both backends → Failed, observedGeneration set, Warning event',
    issuer: [issuerSpec({ ...cmpSpec, ...onapCertServiceSpec }), issuerGeneration(4)],
    secrets: allSecrets,
    expect: (r, now) => {
      const u = update(r);
      assert.equal(u.outcome, 'failed');
      assert.deepEqual(
        { s: u.ready?.status, r: u.ready?.reason, g: u.ready?.observedGeneration, sg: u.status?.observedGeneration, t: u.ready?.lastTransitionTime },
        { s: 'False', r: 'Failed', g: 4, sg: 4, t: formatTime(now) },
      );
      assert.match(u.ready?.message ?? '', /both spec.cmp and CertService fields/);
      assert.deepEqual(
        u.events.map((e) => `${e.type} ${e.reason}`),
        ['Warning Failed'],
      );
      assert.equal(u.backoff, false);
    },
  },
  {
    name: 'no backend → Failed',
    issuer: [issuerSpec({})],
    secrets: allSecrets,
    expect: (r) => assert.match(update(r).ready?.message ?? '', /no backend/),
  },
  {
    name: 'invalid field → Failed naming the field path',
    issuer: [issuerSpec({ cmp: { ...cmpSpec.cmp, url: 'ftp://x', messageType: 'kur' } })],
    secrets: allSecrets,
    expect: (r) => {
      const message = update(r).ready?.message ?? '';
      assert.match(message, /spec\.cmp\.url: must be an http/);
      assert.match(message, /spec\.cmp\.messageType/);
    },
  },
  {
    name: 'referenced Secret missing → Pending, no backoff (the Secret watch brings us back)',
    issuer: [],
    secrets: {},
    expect: (r) => {
      const u = update(r);
      assert.equal(u.ready?.reason, 'Pending');
      assert.equal(u.ready?.message, 'Secret apps/cmp-iak (spec.cmp.protection.passwordBasedMac.secretRef) not found');
      assert.equal(u.backoff, false);
    },
  },
  {
    name: 'referenced key missing → Pending naming the key',
    issuer: [issuerSpec(onapCertServiceSpec)],
    secrets: { 'apps/oom-cert-service-client-tls-secret': ['tls.crt'] },
    expect: (r) => assert.match(update(r).ready?.message ?? '', /has no key tls\.key, ca\.crt$/),
  },
  {
    name: 'all present → check, with the parsed spec',
    issuer: [],
    secrets: allSecrets,
    expect: (r) => {
      assert.equal(r.action, 'check');
      if (r.action !== 'check') return;
      assert.deepEqual({ kind: r.view.kind, ns: r.view.namespace, sns: r.view.secretsNamespace }, { kind: 'CMPv2Issuer', ns: 'apps', sns: 'apps' });
      assert.equal(r.view.spec.backend, 'cmp');
    },
  },
  {
    name: 'ClusterCMPv2Issuer reads its Secrets from the cluster resource namespace',
    issuer: [clusterScoped()],
    secrets: { 'cert-manager/cmp-iak': ['password'] },
    expect: (r) => {
      assert.equal(r.action, 'check');
      if (r.action === 'check') assert.deepEqual({ ns: r.view.namespace, sns: r.view.secretsNamespace }, { ns: undefined, sns: 'cert-manager' });
    },
  },
  {
    name: 'probe answered → Ready=True Checked',
    issuer: [issuerGeneration(2)],
    secrets: allSecrets,
    outcome: { ok: true },
    expect: (r) => {
      const u = update(r);
      assert.deepEqual({ s: u.ready?.status, r: u.ready?.reason, g: u.ready?.observedGeneration }, { s: 'True', r: 'Checked', g: 2 });
      assert.deepEqual(
        u.events.map((e) => `${e.type} ${e.reason}`),
        ['Normal Checked'],
      );
    },
  },
  {
    name: 'probe failed → Pending with backoff',
    issuer: [],
    secrets: allSecrets,
    outcome: { ok: false, error: new Error('connect ECONNREFUSED') },
    expect: (r) => {
      const u = update(r);
      assert.equal(u.ready?.reason, 'Pending');
      assert.equal(u.backoff, true);
    },
  },
  {
    name: 'probe refused for good → Failed',
    issuer: [],
    secrets: allSecrets,
    outcome: { ok: false, error: new PermanentError('CA refused our MAC (unverified): badMessageCheck') },
    expect: (r) => assert.equal(update(r).ready?.reason, 'Failed'),
  },
  {
    name: 'already Checked at this generation → nothing',
    issuer: [issuerReady('True', 'Checked', 1)],
    secrets: allSecrets,
    expect: (r) => assert.deepEqual(r, { action: 'ignore', why: 'checked at this generation' }),
  },
  {
    name: 'already Checked, but a Secret changed (force) → check again',
    issuer: [issuerReady('True', 'Checked', 1)],
    secrets: allSecrets,
    force: true,
    expect: (r) => assert.equal(r.action, 'check'),
  },
  {
    name: 'Checked for an older generation → check again',
    issuer: [issuerReady('True', 'Checked', 1), issuerGeneration(2)],
    secrets: allSecrets,
    expect: (r) => assert.equal(r.action, 'check'),
  },
  {
    name: 'Failed at this generation waits for a spec change',
    issuer: [issuerReady('False', 'Failed', 1)],
    secrets: allSecrets,
    expect: (r) => assert.equal(r.action, 'ignore'),
  },
  {
    name: 'same Checked state again writes nothing',
    issuer: [issuerReady('True', 'Checked', 1), (i) => (i.status!.conditions![0].message = 'The issuer is ready: its server answered the probe')],
    secrets: allSecrets,
    force: true,
    outcome: { ok: true },
    expect: (r) => {
      const u = update(r);
      assert.equal(u.status, undefined);
      assert.deepEqual(u.events, []);
    },
  },
  {
    name: 'a check that learned CA certificates writes them to status.caCertificates (also when only they changed)',
    issuer: [issuerReady('True', 'Checked', 1), (i) => (i.status!.conditions![0].message = 'The issuer is ready: its server answered the probe')],
    secrets: allSecrets,
    force: true,
    outcome: { ok: true, caCertificatesPem: '-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n' },
    expect: (r) => {
      const u = update(r);
      assert.equal(u.status?.caCertificates, '-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n');
      assert.deepEqual(u.events, [], 'the condition did not change: no Event');
    },
  },
  {
    name: 'a check that learned nothing (genm refused) leaves status.caCertificates alone',
    issuer: [
      issuerReady('True', 'Checked', 1),
      (i) => ((i.status!.conditions![0].message = 'The issuer is ready: its server answered the probe'), (i.status!.caCertificates = 'kept')),
    ],
    secrets: allSecrets,
    force: true,
    outcome: { ok: true },
    expect: (r) => assert.equal(update(r).status, undefined),
  },
];

describe('controllers/issuer reconcile (pure, table-driven)', () => {
  for (const row of rows) {
    it(row.name, () => {
      const clock = new FakeClock();
      const theIssuer = issuer(...row.issuer);
      const snapshot = structuredClone(theIssuer);
      const result = reconcileIssuer({
        issuer: theIssuer,
        now: clock.now(),
        clusterResourceNamespace: 'cert-manager',
        secretKeys: (namespace, name) => row.secrets[`${namespace}/${name}`],
        force: row.force,
        checkOutcome: row.outcome,
      });
      row.expect(result, clock.now());
      assert.deepEqual(theIssuer, snapshot, 'the input object is not mutated');
    });
  }
});
