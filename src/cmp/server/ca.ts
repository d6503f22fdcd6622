// The development CA: issues end-entity certificates from requests, signed by its intermediate.
// It signs what was asked (subject, key, extensions) — never a canned certificate.
import { X509Certificate } from 'node:crypto';
import { createCaHierarchy, DEFAULT_ROOT_COUNT, MAX_ROOT_COUNT, openCaHierarchy, type CaCredential, type CaHierarchy } from './caHierarchy.js';
import { keyIdentifierOf, randomSerialNumber, signCertificate } from './certificateSigner.js';
import { sameBytes } from '../certificates.js';
import { issuerNameOf, subjectNameOf } from './distinguishedName.js';
import { DEFAULT_ISSUANCE_POLICY, endEntityExtensions, endEntityValidity, type CertificateOrder, type IssuancePolicy } from './issuancePolicy.js';

export interface CertificateAuthorityOptions {
  /** Number of self-signed roots (default 2, or what the state directory holds). */
  roots?: number;
  /** Where the CA keys and certificates are kept; in memory only when absent. */
  stateDir?: string;
  /** What it issues (CA certificates, longest validity); default: end entities, 825 days. */
  policy?: Partial<IssuancePolicy>;
}

export class CertificateAuthority {
  private readonly intermediateSubject: Uint8Array;
  private readonly intermediateKeyId: Uint8Array;

  private constructor(
    private readonly hierarchy: CaHierarchy,
    private readonly policy: IssuancePolicy,
  ) {
    this.intermediateSubject = subjectNameOf(hierarchy.intermediate.certificate);
    this.intermediateKeyId = keyIdentifierOf(new Uint8Array(hierarchy.intermediate.x509.publicKey.export({ type: 'spki', format: 'der' })));
  }

  static async open(options: CertificateAuthorityOptions = {}): Promise<CertificateAuthority> {
    if (options.roots !== undefined && (!Number.isInteger(options.roots) || options.roots < 1 || options.roots > MAX_ROOT_COUNT)) {
      throw new Error(`roots must be an integer from 1 to ${MAX_ROOT_COUNT}, got ${options.roots}`);
    }
    const hierarchy = options.stateDir ? await openCaHierarchy(options.stateDir, options.roots) : createCaHierarchy(options.roots ?? DEFAULT_ROOT_COUNT);
    return new CertificateAuthority(hierarchy, { ...DEFAULT_ISSUANCE_POLICY, ...options.policy });
  }

  /** DER of every self-signed root, root-1 (the intermediate's issuer) first. */
  get roots(): Uint8Array[] {
    return this.hierarchy.roots.map((root) => root.certificate);
  }

  /** The issuing intermediate; its key also protects CMP responses. */
  get intermediate(): CaCredential {
    return this.hierarchy.intermediate;
  }

  /** Issues a certificate for the order; throws CaRefusal when the request cannot be honoured. */
  issue(order: CertificateOrder, now = new Date()): Uint8Array {
    const extensions = endEntityExtensions(order, this.intermediateKeyId, this.policy);
    const caNotAfter = new Date(this.hierarchy.intermediate.x509.validTo);
    const { notBefore, notAfter } = endEntityValidity(order, caNotAfter, now, this.policy);
    return signCertificate(
      {
        subject: order.subject,
        issuer: this.intermediateSubject,
        publicKeyInfo: order.publicKeyInfo,
        serialNumber: randomSerialNumber(),
        notBefore,
        notAfter,
        extensions,
      },
      this.hierarchy.intermediate.key,
    );
  }

  /** True when `certificate` is one this CA issued (named and signed by the intermediate). */
  issued(certificate: Uint8Array): boolean {
    try {
      const x509 = new X509Certificate(certificate);
      // Our names are always our own encoding: equal names are equal bytes.
      return sameBytes(issuerNameOf(certificate), this.intermediateSubject) && x509.verify(this.hierarchy.intermediate.x509.publicKey);
    } catch {
      return false;
    }
  }
}
