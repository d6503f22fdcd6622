// Fixture builders with option functions (issuer-lib style): a valid default object, changed
// by small named options, so each table row states only what matters to it.
import { formatTime, setCondition, type ConditionStatus } from '../../src/k8s/conditions.js';
import type { CertificateRequest } from '../../src/api/certManager.js';
import type { CMPv2Issuer } from '../../src/api/cmpv2Issuer.js';

export const CSR_PEM = '-----BEGIN CERTIFICATE REQUEST-----\nMIIBFjCBvQIBADAPMQ0wCwYDVQQDDAR0ZXN0\n-----END CERTIFICATE REQUEST-----\n';

export type RequestOption = (r: CertificateRequest) => void;

export function certificateRequest(created: Date, ...options: RequestOption[]): CertificateRequest {
  const request: CertificateRequest = {
    apiVersion: 'cert-manager.io/v1',
    kind: 'CertificateRequest',
    metadata: { namespace: 'apps', name: 'web-1', uid: 'uid-web-1', resourceVersion: '100', creationTimestamp: formatTime(created), annotations: {} },
    spec: {
      request: Buffer.from(CSR_PEM).toString('base64'),
      issuerRef: { name: 'onap-ca', kind: 'CMPv2Issuer', group: 'certmanager.onap.org' },
      usages: ['digital signature', 'key encipherment'],
    },
    status: {},
  };
  for (const option of options) option(request);
  return request;
}

export const withCondition =
  (type: string, status: ConditionStatus, reason = type, at = new Date(0)): RequestOption =>
  (r) => {
    r.status = { ...r.status, conditions: setCondition(r.status?.conditions, { type, status, reason, message: `${type} by test` }, at) };
  };
export const approved = (): RequestOption => withCondition('Approved', 'True', 'cert-manager.io');
export const denied = (): RequestOption => withCondition('Denied', 'True', 'policy');
export const withIssuerRef =
  (kind: string, group = 'certmanager.onap.org', name = 'onap-ca'): RequestOption =>
  (r) => {
    r.spec.issuerRef = { name, kind, group };
  };
export const withAnnotation =
  (key: string, value: string): RequestOption =>
  (r) => {
    r.metadata.annotations = { ...r.metadata.annotations, [key]: value };
  };
export const withRequestText =
  (text: string): RequestOption =>
  (r) => {
    r.spec.request = Buffer.from(text).toString('base64');
  };

export type IssuerOption = (i: CMPv2Issuer) => void;

export const cmpSpec = {
  cmp: {
    url: 'http://ca.example:8080/.well-known/cmp/p/RA',
    protection: { passwordBasedMac: { secretRef: { name: 'cmp-iak', key: 'password' }, reference: 'rv-value' } },
  },
};

export const onapCertServiceSpec = {
  url: 'https://oom-cert-service:8443',
  healthEndpoint: 'actuator/health',
  certEndpoint: 'v1/certificate',
  updateEndpoint: 'v1/certificate-update',
  caName: 'RA',
  certSecretRef: { name: 'oom-cert-service-client-tls-secret', certRef: 'tls.crt', keyRef: 'tls.key', cacertRef: 'ca.crt' },
};

export function issuer(...options: IssuerOption[]): CMPv2Issuer {
  const result: CMPv2Issuer = {
    apiVersion: 'certmanager.onap.org/v1',
    kind: 'CMPv2Issuer',
    metadata: { namespace: 'apps', name: 'onap-ca', uid: 'uid-ca', generation: 1, resourceVersion: '7' },
    spec: structuredClone(cmpSpec),
    status: {},
  };
  for (const option of options) option(result);
  return result;
}

export const issuerReady =
  (status: ConditionStatus = 'True', reason = 'Checked', observedGeneration = 1): IssuerOption =>
  (i) => {
    i.status = {
      observedGeneration,
      conditions: setCondition(undefined, { type: 'Ready', status, reason, message: `issuer ${reason}`, observedGeneration }, new Date(0)),
    };
  };
export const issuerGeneration =
  (generation: number): IssuerOption =>
  (i) => {
    i.metadata.generation = generation;
  };
export const issuerSpec =
  (spec: unknown): IssuerOption =>
  (i) => {
    i.spec = spec;
  };
export const clusterScoped = (): IssuerOption => (i) => {
  i.kind = 'ClusterCMPv2Issuer';
  delete i.metadata.namespace;
};
