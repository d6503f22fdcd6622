// The cert-manager Certificate migrate writes for one CertService client init container: the
// client's CSR fields as Certificate fields, RSA 2048 as the client generated, and the keystore
// annotations (SPEC §4) that make the keystore loop write the files the client wrote.
import { KEYSTORE_ANNOTATIONS } from '../api/keystoreAnnotations.js';
import type { StoreFormat } from '../keystore/index.js';
import type { ClientRequest } from './clientContainer.js';
import { MigrateOptionError } from './errors.js';

export interface IssuerRef {
  group: string;
  kind: string;
  name: string;
}

/** Issuer kinds and their API groups; `Kind.group/name` names any other. */
const ISSUER_GROUPS: Record<string, string> = {
  CMPv2Issuer: 'certmanager.onap.org',
  ClusterCMPv2Issuer: 'certmanager.onap.org',
  Issuer: 'cert-manager.io',
  ClusterIssuer: 'cert-manager.io',
};

/** Reads `--issuer KIND/NAME` (KIND one of CMPv2Issuer, ClusterCMPv2Issuer, Issuer, ClusterIssuer, or Kind.group). */
export function parseIssuer(value: string): IssuerRef {
  const match = /^([A-Za-z][A-Za-z0-9]*)(?:\.([a-z0-9.-]+))?\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(value.trim());
  if (!match) throw new MigrateOptionError(`--issuer '${value}' is not KIND/NAME, e.g. CMPv2Issuer/onap-cmpv2 or ClusterCMPv2Issuer/ca`);
  const [, kind, group, name] = match;
  const resolved = group ?? ISSUER_GROUPS[kind];
  if (!resolved) {
    throw new MigrateOptionError(`--issuer: unknown kind '${kind}'; use ${Object.keys(ISSUER_GROUPS).join(', ')}, or Kind.group/NAME for another issuer`);
  }
  return { group: resolved, kind, name };
}

export interface CertificatePlan {
  /** Name of the Certificate and of its Secret. */
  name: string;
  namespace?: string;
  request: ClientRequest;
  formats: StoreFormat[];
  /** `trust-sources` entries, in post-processor order. */
  trustSources: string[];
}

/** The Certificate as a plain object, fields in the order `kubectl get -o yaml` shows them. */
export function certificateObject(plan: CertificatePlan, issuer: IssuerRef): Record<string, unknown> {
  const { request } = plan;
  const annotations: Record<string, string> = { [KEYSTORE_ANNOTATIONS.formats]: plan.formats.join(',') };
  if (plan.trustSources.length > 0) annotations[KEYSTORE_ANNOTATIONS.trustSources] = plan.trustSources.join(',');
  const subject = Object.fromEntries(Object.entries(request.subject).filter(([, v]) => v !== undefined));
  const spec: Record<string, unknown> = { secretName: plan.name, commonName: request.commonName };
  if (Object.keys(subject).length > 0) spec.subject = subject;
  if (request.sans.dnsNames.length > 0) spec.dnsNames = request.sans.dnsNames;
  if (request.sans.ipAddresses.length > 0) spec.ipAddresses = request.sans.ipAddresses;
  if (request.sans.emailAddresses.length > 0) spec.emailAddresses = request.sans.emailAddresses;
  if (request.sans.uris.length > 0) spec.uris = request.sans.uris;
  spec.privateKey = { algorithm: 'RSA', size: 2048 };
  spec.issuerRef = { group: issuer.group, kind: issuer.kind, name: issuer.name };
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: plan.name, ...(plan.namespace ? { namespace: plan.namespace } : {}), annotations },
    spec,
  };
}
