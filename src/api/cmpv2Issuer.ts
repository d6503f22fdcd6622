// CMPv2Issuer / ClusterCMPv2Issuer (certmanager.onap.org/v1), SPEC §2. The zod schema is the
// controller's check of a spec, field for field the CRD's (crds/), so a spec the API server
// took is read the same way here; it also picks the backend and fills in the defaults.
// One deliberate difference: a zero `timeout` passes the CRD pattern but is refused here.
import { resourceType } from '../k8s/resources.js';
import * as z from 'zod';
import type { Condition } from '../k8s/conditions.js';
import { parseDuration } from '../k8s/duration.js';
import type { KubeObject } from '../k8s/meta.js';

const name = z.string().min(1).max(253);
const key = z.string().min(1).max(253);

/** A Secret by name (in the issuer's namespace, or the cluster resource namespace). */
const secretRef = z.object({ name });
/** One key of a Secret (both required, as in the CRD). */
const secretKeyRef = z.object({ name, key });

const httpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http:// or https:// URL');

const durationText = z.string().refine((value) => {
  try {
    return parseDuration(value) > 0;
  } catch {
    return false;
  }
}, 'must be a positive duration such as 30s or 1m');

/** ONAP's CertService backend: the fields of existing cmpv2-cert-provider manifests. */
export const certServiceSpecSchema = z.object({
  url: httpUrl,
  healthEndpoint: z.string().min(1),
  certEndpoint: z.string().min(1),
  updateEndpoint: z.string().min(1).optional(),
  caName: z.string().min(1),
  certSecretRef: z.object({
    name,
    certRef: key,
    keyRef: key,
    cacertRef: key,
  }),
});

const passwordBasedMac = z
  .object({
    secretRef: secretKeyRef,
    reference: z.string().min(1).optional(),
    referenceSecretRef: secretKeyRef.optional(),
  })
  .refine((p) => !(p.reference !== undefined && p.referenceSecretRef !== undefined), {
    message: 'set reference or referenceSecretRef, not both',
  });

const protection = z
  .object({
    passwordBasedMac: passwordBasedMac.optional(),
    signature: z.object({ secretRef }).optional(),
  })
  .refine((p) => (p.passwordBasedMac === undefined) !== (p.signature === undefined), {
    message: 'exactly one of passwordBasedMac or signature is required',
  });

/** The native CMP backend (`spec.cmp`). */
export const cmpSpecSchema = z
  .object({
    url: httpUrl,
    recipient: z.string().min(1).optional(),
    /** header.sender of PBM-protected requests (SPEC §3: PBM needs a reference or a sender). */
    sender: z.string().min(1).optional(),
    messageType: z.enum(['p10cr', 'ir', 'cr']).default('p10cr'),
    renewal: z.enum(['kur', 'initial']).default('kur'),
    protection,
    responseTrust: z.object({ caBundleSecretRef: secretKeyRef }).optional(),
    tls: z
      .object({
        caBundleSecretRef: secretKeyRef.optional(),
        clientCertSecretRef: secretRef.optional(),
      })
      .optional(),
    implicitConfirm: z.boolean().default(true),
    timeout: durationText.default('30s'),
    /** Other self-signed extraCerts become trusted roots too (named in the request's Event). */
    trustExtraCertsRoots: z.boolean().default(false),
  })
  .refine(
    (c) => {
      const mac = c.protection.passwordBasedMac;
      return !mac || c.sender !== undefined || mac.reference !== undefined || mac.referenceSecretRef !== undefined;
    },
    {
      message: 'passwordBasedMac needs an identity: set protection.passwordBasedMac.reference (or referenceSecretRef), sent as senderKID, or spec.cmp.sender',
    },
  );

export type CertServiceSpec = z.infer<typeof certServiceSpecSchema>;
export type CmpSpec = z.infer<typeof cmpSpecSchema>;

/** A validated spec with exactly one backend. */
export type IssuerBackend = { backend: 'certService'; certService: CertServiceSpec } | { backend: 'cmp'; cmp: CmpSpec };

const CERT_SERVICE_FIELDS = ['url', 'healthEndpoint', 'certEndpoint', 'updateEndpoint', 'caName', 'certSecretRef'] as const;

/** Validates a raw spec; the error text lists every problem with its field path. */
export function parseIssuerSpec(raw: unknown): { ok: true; value: IssuerBackend } | { ok: false; error: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, error: 'spec must be an object' };
  const spec = raw as Record<string, unknown>;
  const hasCmp = spec.cmp !== undefined;
  const hasCertService = CERT_SERVICE_FIELDS.some((field) => spec[field] !== undefined);
  if (hasCmp && hasCertService) {
    return { ok: false, error: 'spec sets both spec.cmp and CertService fields (url, certSecretRef, …): choose one backend' };
  }
  if (!hasCmp && !hasCertService) {
    return { ok: false, error: 'spec sets no backend: give spec.cmp, or the CertService fields url, caName, certSecretRef, …' };
  }
  if (hasCmp) {
    const parsed = cmpSpecSchema.safeParse(spec.cmp);
    return parsed.success ? { ok: true, value: { backend: 'cmp', cmp: parsed.data } } : { ok: false, error: describe(parsed.error, 'spec.cmp') };
  }
  const parsed = certServiceSpecSchema.safeParse(spec);
  return parsed.success ? { ok: true, value: { backend: 'certService', certService: parsed.data } } : { ok: false, error: describe(parsed.error, 'spec') };
}

function describe(error: z.ZodError, prefix: string): string {
  return error.issues.map((issue) => `${[prefix, ...issue.path.map(String)].join('.')}: ${issue.message}`).join('; ');
}

/** The Secrets (and keys) a spec refers to, for the existence check and for watches. */
export interface ReferencedSecretKey {
  name: string;
  /** Keys that must be present; empty = only the Secret must exist. */
  keys: string[];
  field: string;
}

export function referencedSecrets(backend: IssuerBackend): ReferencedSecretKey[] {
  if (backend.backend === 'certService') {
    const ref = backend.certService.certSecretRef;
    return [{ name: ref.name, keys: [ref.certRef, ref.keyRef, ref.cacertRef], field: 'spec.certSecretRef' }];
  }
  const cmp = backend.cmp;
  const refs: ReferencedSecretKey[] = [];
  const mac = cmp.protection.passwordBasedMac;
  if (mac) {
    refs.push({ name: mac.secretRef.name, keys: [mac.secretRef.key], field: 'spec.cmp.protection.passwordBasedMac.secretRef' });
    if (mac.referenceSecretRef) {
      refs.push({ name: mac.referenceSecretRef.name, keys: [mac.referenceSecretRef.key], field: 'spec.cmp.protection.passwordBasedMac.referenceSecretRef' });
    }
  }
  if (cmp.protection.signature) {
    refs.push({ name: cmp.protection.signature.secretRef.name, keys: ['tls.crt', 'tls.key'], field: 'spec.cmp.protection.signature.secretRef' });
  }
  if (cmp.responseTrust) {
    const ref = cmp.responseTrust.caBundleSecretRef;
    refs.push({ name: ref.name, keys: [ref.key], field: 'spec.cmp.responseTrust.caBundleSecretRef' });
  }
  if (cmp.tls?.caBundleSecretRef) {
    refs.push({ name: cmp.tls.caBundleSecretRef.name, keys: [cmp.tls.caBundleSecretRef.key], field: 'spec.cmp.tls.caBundleSecretRef' });
  }
  if (cmp.tls?.clientCertSecretRef) {
    refs.push({ name: cmp.tls.clientCertSecretRef.name, keys: ['tls.crt', 'tls.key'], field: 'spec.cmp.tls.clientCertSecretRef' });
  }
  return refs;
}

export interface IssuerStatus {
  conditions?: Condition[];
  observedGeneration?: number;
  /** PEM of the self-signed certificates of the CA's verified genm answer (SPEC §2, §3 rule c). */
  caCertificates?: string;
}

/** Either kind; `kind` tells them apart (ClusterCMPv2Issuer has no namespace). */
export interface CMPv2Issuer extends KubeObject {
  kind?: 'CMPv2Issuer' | 'ClusterCMPv2Issuer';
  spec: unknown;
  status?: IssuerStatus;
}

export const ISSUER_KINDS = ['CMPv2Issuer', 'ClusterCMPv2Issuer'] as const;
export type IssuerKind = (typeof ISSUER_KINDS)[number];

/** `Kind/namespace/name` (empty namespace when cluster-scoped): an issuer's queue key and index value. */
export function issuerKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${kind === 'ClusterCMPv2Issuer' ? '' : (namespace ?? '')}/${name}`;
}

export const ISSUER_GROUP = 'certmanager.onap.org';
export const CMPV2_ISSUERS = resourceType(ISSUER_GROUP, 'CMPv2Issuer', 'cmpv2issuers', 'Namespaced');
export const CLUSTER_CMPV2_ISSUERS = resourceType(ISSUER_GROUP, 'ClusterCMPv2Issuer', 'clustercmpv2issuers', 'Cluster');

/** The issuers' Ready reasons (SPEC §2). */
export const ISSUER_REASON = { checked: 'Checked', pending: 'Pending', failed: 'Failed' } as const;

/** Annotation holding the CMP transaction (id, nonces, certReqId) while the CA answers `waiting`. */
export const TRANSACTION_ANNOTATION = 'certmanager.onap.org/cmp-transaction';
