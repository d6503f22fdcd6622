// Enrolments counted at the CA, per CertificateRequest: each CA record's key hash (spkiSha256)
// is matched with the public key of each request's CSR (spec.request). What the CA issued for no
// known request, and requests enrolled more than once, are named; a second enrolment is
// attributed to the only window SPEC §3 allows — an answer lost, named by a TransactionRestarted
// Event on that request. Shared by the fault suite and the faults/issuance benchmarks.
import { CR_ANNOTATIONS, type CertificateRequest } from '../../../src/api/certManager.js';
import { parseCsr } from '../../../src/cmp/csr.js';
import { spkiSha256, type EnrolmentRecord } from '../../../src/cmp/server/index.js';
import { X509Certificate } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeApi, WatchEvent } from '../../../src/k8s/apiClient.js';
import { ApiError } from '../../../src/k8s/apiError.js';
import type { KubeList } from '../../../src/k8s/meta.js';

/** The Event reason of the lead's write-ahead record: a previous attempt's answer was lost. */
export const TRANSACTION_RESTARTED = 'TransactionRestarted';

export interface RequestSeen {
  name: string;
  /** cert-manager.io/certificate-revision */
  revision: string;
  /** cert-manager.io/certificate-name */
  certificate: string;
  spkiSha256: string;
  /** creationTimestamp (whole seconds). */
  createdAt: string;
  /** Serial (hex) of the leaf in status.certificate, once issued: the enrolment it was given. */
  serial?: string;
  /** Gone from the API by the end of the run. */
  deleted?: boolean;
}

export interface RequestEnrolments extends RequestSeen {
  enrolments: number;
  /** Sum of the counts of its TransactionRestarted Events. */
  restarted: number;
}

export interface EnrolmentAccount {
  requests: RequestEnrolments[];
  /** Enrolments matched to a request. */
  enrolments: number;
  /** Enrolments beyond one per request. */
  extra: number;
  /** Extra enrolments on requests with no TransactionRestarted Event: outside the named window. */
  unexplained: RequestEnrolments[];
  /** CA records whose key belongs to no request seen. */
  unmatched: EnrolmentRecord[];
  /** TransactionRestarted Events over all requests. */
  restartedEvents: number;
}

/** SHA-256 of the SubjectPublicKeyInfo of the CSR in spec.request (base64 of PEM). */
export function requestSpkiSha256(request: CertificateRequest): string {
  const pem = Buffer.from(request.spec.request, 'base64').toString('utf8');
  const body = pem.replace(/-----(BEGIN|END)[^-]+-----/g, '').replace(/\s+/g, '');
  const csr = parseCsr(new Uint8Array(Buffer.from(body, 'base64')));
  return spkiSha256(new Uint8Array(csr.subjectPublicKeyInfo.toSchema().toBER(false)));
}

export function describeRequest(request: CertificateRequest): RequestSeen {
  const annotations = request.metadata.annotations ?? {};
  return {
    name: request.metadata.name ?? '',
    revision: annotations[CR_ANNOTATIONS.certificateRevision] ?? '?',
    certificate: annotations[CR_ANNOTATIONS.certificateName] ?? '?',
    spkiSha256: requestSpkiSha256(request),
    createdAt: request.metadata.creationTimestamp ?? '',
    ...(request.status?.certificate ? { serial: leafSerial(request.status.certificate) } : {}),
  };
}

/** Serial (lower-case hex) of the first certificate of a base64 PEM bundle. */
function leafSerial(bundleBase64: string): string | undefined {
  try {
    return new X509Certificate(Buffer.from(bundleBase64, 'base64').toString('utf8')).serialNumber.toLowerCase();
  } catch {
    return undefined;
  }
}

interface CoreEvent {
  involvedObject: { kind?: string; name?: string };
  reason?: string;
  count?: number;
}

/** TransactionRestarted Events per CertificateRequest name in `namespace`. */
export async function restartedEvents(api: KubeApi, namespace: string): Promise<Map<string, number>> {
  const events = await api.request<KubeList<CoreEvent>>('GET', `/api/v1/namespaces/${namespace}/events`);
  const counts = new Map<string, number>();
  for (const event of events.items) {
    if (event.reason !== TRANSACTION_RESTARTED || event.involvedObject.kind !== 'CertificateRequest') continue;
    const name = event.involvedObject.name ?? '';
    counts.set(name, (counts.get(name) ?? 0) + (event.count ?? 1));
  }
  return counts;
}

export async function listRequestsOf(api: KubeApi, namespace: string): Promise<CertificateRequest[]> {
  return (await api.request<KubeList<CertificateRequest>>('GET', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificaterequests`)).items;
}

/**
 * Matches the CA's records to `seen` requests. A record whose serial a request received is that
 * request's. Others go by key: cert-manager may send the same key again in a new request when it
 * re-issues at once (the next private key is reused), so among requests with that key a record
 * goes to the earliest one created before it that has none yet, else to the latest one created
 * before it.
 */
export function account(seen: RequestSeen[], records: readonly EnrolmentRecord[], restarted: Map<string, number>): EnrolmentAccount {
  const requests = seen
    .map((r): RequestEnrolments => ({ ...r, enrolments: 0, restarted: restarted.get(r.name) ?? 0 }))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const bySerial = new Map(requests.filter((r) => r.serial).map((r) => [r.serial as string, r]));
  const unmatched: EnrolmentRecord[] = [];
  const pending: EnrolmentRecord[] = [];
  for (const record of records) {
    const owner = bySerial.get(record.serial);
    if (owner && owner.spkiSha256 === record.spkiSha256) owner.enrolments += 1;
    else pending.push(record);
  }
  for (const record of pending) {
    // creationTimestamp has whole seconds: compare on that.
    const at = record.at.replace(/\.\d+Z$/, 'Z');
    const candidates = requests.filter((r) => r.spkiSha256 === record.spkiSha256 && r.createdAt <= at);
    const owner = candidates.find((r) => r.enrolments === 0) ?? candidates.at(-1) ?? requests.find((r) => r.spkiSha256 === record.spkiSha256);
    if (owner) owner.enrolments += 1;
    else unmatched.push(record);
  }
  const enrolments = requests.reduce((sum, r) => sum + r.enrolments, 0);
  return {
    requests,
    enrolments,
    extra: requests.reduce((sum, r) => sum + Math.max(0, r.enrolments - 1), 0),
    unexplained: requests.filter((r) => r.enrolments > 1 + r.restarted),
    unmatched,
    restartedEvents: requests.reduce((sum, r) => sum + r.restarted, 0),
  };
}

/** "2 (cmp-3 rev 1: 2 enrolments, 1 TransactionRestarted; …)" */
export function describeExtra(result: EnrolmentAccount): string {
  const extras = result.requests.filter((r) => r.enrolments > 1);
  if (extras.length === 0) return '0';
  return `${result.extra} (${extras
    .map((r) => `${r.name} rev ${r.revision}${r.deleted ? ' (deleted)' : ''}: ${r.enrolments} enrolments, ${r.restarted} ${TRANSACTION_RESTARTED}`)
    .join('; ')})`;
}

/**
 * Every CertificateRequest of our issuer seen in `namespace` from now until the signal aborts,
 * by uid (deleted ones stay, marked). A watch from the list's resourceVersion, resumed when the
 * server ends it.
 */
export function watchRequests(api: KubeApi, namespace: string, signal: AbortSignal): { seen: Map<string, RequestSeen>; done: Promise<void> } {
  const seen = new Map<string, RequestSeen>();
  const path = `/apis/cert-manager.io/v1/namespaces/${namespace}/certificaterequests`;
  const remember = (request: CertificateRequest, deleted: boolean) => {
    if (request.spec.issuerRef.kind !== 'CMPv2Issuer') return;
    const uid = request.metadata.uid ?? request.metadata.name ?? '';
    // The latest state (its serial once issued); a DELETED event carries the last one.
    seen.set(uid, { ...describeRequest(request), ...(deleted ? { deleted: true } : {}) });
  };
  const done = (async () => {
    const initial = await api.request<KubeList<CertificateRequest>>('GET', path);
    for (const request of initial.items) remember(request, false);
    let resourceVersion = initial.metadata?.resourceVersion;
    while (!signal.aborted) {
      try {
        await api.watch(
          path,
          { ...(resourceVersion ? { resourceVersion } : {}), allowWatchBookmarks: true },
          (event: WatchEvent) => {
            const object = event.object as unknown as CertificateRequest;
            resourceVersion = object.metadata?.resourceVersion ?? resourceVersion;
            if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED') remember(object, event.type === 'DELETED');
          },
          { signal },
        );
      } catch (err) {
        if (signal.aborted) return;
        // The API server restarting or etcd paused: watch again from where we were; when that
        // version is gone (410), list again (a request created and deleted in between would be missed).
        await sleep(500);
        if (err instanceof ApiError && err.statusCode === 410) {
          try {
            const list = await api.request<KubeList<CertificateRequest>>('GET', path);
            for (const request of list.items) remember(request, false);
            resourceVersion = list.metadata?.resourceVersion;
          } catch {
            // still down: the next round tries again
          }
        }
      }
    }
  })();
  return { seen, done };
}
