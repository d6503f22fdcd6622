// The CertificateRequest's status setters, named by intent. Each returns the status patch and
// the Event of the transition; a setter that would change nothing returns neither, so a
// request reconciled twice in the same state writes nothing and says nothing.
import { conditionUnchanged, formatTime, setCondition, type Condition } from '../../k8s/conditions.js';
import type { EventRecord } from '../../k8s/events.js';
import { CONDITION_READY, REASON, type CertificateRequest } from '../../api/certManager.js';

export interface RequestStatusPatch {
  conditions: Condition[];
  certificate?: string;
  ca?: string;
  failureTime?: string;
}

export interface Transition {
  status?: RequestStatusPatch;
  events: EventRecord[];
}

function ready(request: CertificateRequest, now: Date, status: 'True' | 'False', reason: string, message: string, eventType: EventRecord['type']): Transition {
  const wanted = { type: CONDITION_READY, status, reason, message };
  const conditions = request.status?.conditions;
  if (conditionUnchanged(conditions, wanted)) return { events: [] };
  return {
    status: { conditions: setCondition(conditions, wanted, now) },
    events: [{ type: eventType, reason, message }],
  };
}

/** Not issued yet, will be retried (waiting for approval, issuer, CA). */
export function setPending(request: CertificateRequest, now: Date, message: string, warning = false): Transition {
  return ready(request, now, 'False', REASON.pending, message, warning ? 'Warning' : 'Normal');
}

/** Issued: certificate chain and roots in the status (base64 of PEM, as cert-manager's []byte fields). */
export function setIssued(request: CertificateRequest, now: Date, chainPem: string, caPem: string): Transition {
  const message = 'Certificate issued';
  const transition = ready(request, now, 'True', REASON.issued, message, 'Normal');
  const status: RequestStatusPatch = transition.status ?? { conditions: request.status?.conditions ?? [] };
  status.certificate = Buffer.from(chainPem).toString('base64');
  status.ca = Buffer.from(caPem).toString('base64');
  return { status, events: transition.events.length > 0 ? transition.events : [{ type: 'Normal', reason: REASON.issued, message }] };
}

/** Terminal: never retried. */
export function setFailed(request: CertificateRequest, now: Date, message: string): Transition {
  const transition = ready(request, now, 'False', REASON.failed, message, 'Warning');
  if (transition.status) transition.status.failureTime = formatTime(now);
  return transition;
}

/** Terminal: an approver denied the request; it is never sent to the CA. */
export function setDenied(request: CertificateRequest, now: Date): Transition {
  const transition = ready(request, now, 'False', REASON.denied, 'The CertificateRequest was denied by an approval controller', 'Warning');
  if (transition.status) transition.status.failureTime = formatTime(now);
  return transition;
}
