// Wires informers, controllers and a scripted signer to the in-memory API for shell tests.
import type { IssuerView } from '../../src/signer/issuerView.js';
import { CLUSTER_CMPV2_ISSUERS, CMPV2_ISSUERS } from '../../src/api/cmpv2Issuer.js';
import { CERTIFICATE_REQUESTS } from '../../src/api/certManager.js';
import { EventRecorder } from '../../src/k8s/events.js';
import { Informer } from '../../src/k8s/informer.js';
import { SECRETS } from '../../src/k8s/resources.js';
import type { CertificateRequest } from '../../src/api/certManager.js';
import type { CMPv2Issuer } from '../../src/api/cmpv2Issuer.js';
import type { KubeObject } from '../../src/k8s/meta.js';
import type { RequestView } from '../../src/signer/requestView.js';
import type { SignedCertificate, Signer, SignerFactory, SignHooks, TransactionIntent } from '../../src/signer/signer.js';
import { MemoryApi } from '../k8s/memoryApiServer.js';

/** A signer whose answers the test scripts; it records what it was asked. */
export class ScriptedSigner implements Signer, SignerFactory {
  signCalls: RequestView[] = [];
  checkCalls: IssuerView[] = [];
  signAnswers: ((view: RequestView) => SignedCertificate)[] = [];
  checkAnswer: () => void = () => undefined;

  forIssuer(): Signer {
    return this;
  }

  /** As a real signer: the answer is scripted, the write-ahead hook runs before it, as before a send. */
  async sign(view: RequestView, _issuer?: IssuerView, _signal?: AbortSignal, hooks: SignHooks = {}): Promise<SignedCertificate> {
    this.signCalls.push(view);
    const answer = this.signAnswers.shift();
    if (!answer) throw new Error('the test scripted no more answers');
    const intent: TransactionIntent = view.resumeState
      ? { kind: 'poll', transaction: view.resumeState }
      : { kind: 'request', transaction: `{"tid":"planned-${this.signCalls.length}"}` };
    await hooks.beforeSend?.(intent);
    return answer(view);
  }

  async check(issuer: IssuerView): Promise<void> {
    this.checkCalls.push(issuer);
    this.checkAnswer();
  }
}

export interface Harness {
  memory: MemoryApi;
  requests: Informer<CertificateRequest>;
  issuers: Informer<CMPv2Issuer>;
  clusterIssuers: Informer<CMPv2Issuer>;
  secrets: Informer<KubeObject>;
  events: EventRecorder;
  signer: ScriptedSigner;
  startInformers(): Promise<void>;
  stop(): Promise<void>;
}

export async function harness(): Promise<Harness> {
  const memory = await MemoryApi.start();
  const api = memory.fake.api;
  const requests = new Informer<CertificateRequest>({ api, resource: CERTIFICATE_REQUESTS, retryBaseMs: 20 });
  const issuers = new Informer<CMPv2Issuer>({ api, resource: CMPV2_ISSUERS, retryBaseMs: 20 });
  const clusterIssuers = new Informer<CMPv2Issuer>({ api, resource: CLUSTER_CMPV2_ISSUERS, retryBaseMs: 20 });
  const secrets = new Informer<KubeObject>({ api, resource: SECRETS, metadataOnly: true, retryBaseMs: 20 });
  const all = [requests, issuers, clusterIssuers, secrets];
  return {
    memory,
    requests,
    issuers,
    clusterIssuers,
    secrets,
    events: new EventRecorder(api, { component: 'cmpv2-operator-test' }),
    signer: new ScriptedSigner(),
    async startInformers() {
      for (const i of all) i.start();
      await Promise.all(all.map((i) => i.waitForSync()));
    },
    async stop() {
      await Promise.all(all.map((i) => i.stop()));
      await memory.close();
    },
  };
}
