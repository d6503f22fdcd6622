// What a signer sees of a certificate request: the CSR and the few facts around it, never the
// CertificateRequest object itself (issuer-lib's request view), so signers do not depend on
// where the CSR came from and never touch Kubernetes status. `csrDer` is the one decoding of
// its CSR that both backends use.
import { CR_ANNOTATIONS, type CertificateRequest, type IssuerReference } from '../api/certManager.js';
import { TRANSACTION_ANNOTATION } from '../api/cmpv2Issuer.js';

export interface RequestView {
  namespace: string;
  name: string;
  /** The PKCS#10 request, PEM text as cert-manager sent it. */
  csrPem: string;
  issuerRef: Required<IssuerReference>;
  duration?: string;
  isCA: boolean;
  usages: readonly string[];
  /** `cert-manager.io/certificate-revision`: 1 for the first issuance, > 1 for renewals. */
  revision?: number;
  /** Secret holding the new private key (ir/cr proof-of-possession, CertService `PK`). */
  privateKeySecretName?: string;
  /** The Certificate this request belongs to (renewal looks up its Secret for the old key). */
  certificateName?: string;
  /** Transaction state saved by an earlier PendingError, to resume polling. */
  resumeState?: string;
  annotations: Readonly<Record<string, string>>;
}

export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
}

const CSR_PEM = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----[\s\S]+?-----END (?:NEW )?CERTIFICATE REQUEST-----/;

/** Builds the view; throws InvalidRequestError when the request cannot be signed as it is. */
export function toRequestView(request: CertificateRequest): RequestView {
  const { metadata, spec } = request;
  const issuerRef = spec?.issuerRef;
  if (!issuerRef?.name || !issuerRef.kind || !issuerRef.group) throw new InvalidRequestError('spec.issuerRef needs name, kind and group');
  if (typeof spec.request !== 'string' || spec.request.length === 0) throw new InvalidRequestError('spec.request is empty');
  const text = Buffer.from(spec.request, 'base64').toString('utf8');
  const csr = CSR_PEM.exec(text);
  if (!csr) throw new InvalidRequestError('spec.request does not hold a PEM certificate request');
  const annotations = metadata.annotations ?? {};
  const revisionText = annotations[CR_ANNOTATIONS.certificateRevision];
  const revision = revisionText !== undefined && /^\d+$/.test(revisionText) ? Number(revisionText) : undefined;
  return {
    namespace: metadata.namespace ?? '',
    name: metadata.name ?? '',
    csrPem: `${csr[0]}\n`,
    issuerRef: { name: issuerRef.name, kind: issuerRef.kind, group: issuerRef.group },
    duration: spec.duration,
    isCA: spec.isCA ?? false,
    usages: spec.usages ?? [],
    revision,
    privateKeySecretName: annotations[CR_ANNOTATIONS.privateKeySecretName] || undefined,
    certificateName: annotations[CR_ANNOTATIONS.certificateName] || undefined,
    resumeState: annotations[TRANSACTION_ANNOTATION] || undefined,
    annotations,
  };
}

/** The DER bytes of the view's CSR (`csrPem` holds one PEM block, as toRequestView keeps it). */
export function csrDer(csrPem: string): Uint8Array {
  const body = csrPem.replace(/-----(BEGIN|END) (NEW )?CERTIFICATE REQUEST-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(body, 'base64'));
}
