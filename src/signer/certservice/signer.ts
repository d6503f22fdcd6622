// The ONAP CertService backend behind the Signer contract (SPEC §3): the issuer's mTLS
// material from `certSecretRef`, the CSR and the new key (PKCS#8) from cert-manager's Secret,
// for renewals the old certificate and key from the Certificate's Secret. Outcomes:
//   200 with a chain for our key → chain + every trusted certificate;
//   4xx (400 wrong CSR/PK, 404 unknown CA, …) → PermanentError with the server's message;
//   500 "CMPv2 server returned following error: …" (the CA behind it said no) → PermanentError;
//   5xx, 408/429, timeouts, refused connections → plain Error (retried until max-retry-duration);
//   a 200 that is not a certification response, or a chain for another key → PermanentError;
//   issuer Secrets missing or unreadable → IssuerError.
// Every mapped error keeps the client's error as its `cause`.
import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { csrPublicKeyDer } from '../../cmp/csr.js';
import type { CertServiceSpec } from '../../api/cmpv2Issuer.js';
import { describePemProblems, parseCertificateBundle, toPem } from '../../pki/pem.js';
import { IssuerError, PermanentError } from '../errors.js';
import type { IssuerView } from '../issuerView.js';
import { csrDer, type RequestView } from '../requestView.js';
import { isKeyOfSpki, keyMovedError } from '../csrKey.js';
import { issuerSecret, type SecretSource } from '../secretSource.js';
import type { SignedCertificate, Signer, SignHooks } from '../signer.js';
import { CertServiceClient, type CertificationResponse, type CertServiceClientOptions } from './client.js';
import { CertServiceHttpError, CertServiceResponseError, CertServiceTransportError } from './errors.js';

export interface CertServiceSignerOptions {
  secrets: SecretSource;
  /** Per-call timeout (CertService's spec has no timeout field). Default 30 s. */
  timeoutMs?: number;
}

/** Statuses that say "later" rather than "no": request timeout and rate limiting. */
const RETRYABLE_CLIENT_STATUS = new Set([408, 425, 429]);

/**
 * CertService wraps a CA's rejection (its CmpServerException) in a 500 with this prefix; SPEC §3
 * makes a CA rejection permanent, while its other 500s (CMP client trouble) stay retryable.
 */
const CA_REJECTION_PREFIX = 'CMPv2 server returned following error:';

/** Maps client errors onto the signer contract (see the header comment), the client's error kept as `cause`. */
export function certServiceSignerError(err: unknown): unknown {
  if (err instanceof CertServiceHttpError) {
    if (err.status === 500 && err.errorMessage?.startsWith(CA_REJECTION_PREFIX)) {
      return new PermanentError(`CertService's CA rejected the request (HTTP 500): ${err.errorMessage}`, { cause: err });
    }
    if (err.status >= 400 && err.status < 500 && !RETRYABLE_CLIENT_STATUS.has(err.status)) {
      return new PermanentError(`CertService refused the request (HTTP ${err.status}): ${err.errorMessage ?? 'no errorMessage given'}`, { cause: err });
    }
    return new Error(`CertService failed (HTTP ${err.status}): ${err.errorMessage ?? 'no errorMessage given'}`, { cause: err });
  }
  if (err instanceof CertServiceResponseError) return new PermanentError(`CertService's answer is unusable: ${err.message}`, { cause: err });
  if (err instanceof CertServiceTransportError) return new Error(`cannot reach CertService: ${err.message}`, { cause: err });
  return err;
}

/** A PEM private key (PKCS#1, PKCS#8 or SEC1); undefined when unreadable. Never quotes the key. */
function privateKeyOf(pem: Buffer): KeyObject | undefined {
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return undefined;
  }
}

/** PKCS#8 PEM of a PEM private key; undefined when unreadable. */
function pkcs8Pem(pem: Buffer): string | undefined {
  return privateKeyOf(pem)?.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Every certificate of a list of PEM texts, in order, as DER; unreadable entries make the answer unusable. */
function certificatesOf(entries: readonly string[], field: string): Buffer[] {
  const all: Buffer[] = [];
  entries.forEach((entry, i) => {
    const { certificates, problems } = parseCertificateBundle(entry);
    if (problems.length > 0 || certificates.length === 0) {
      const why = problems.length > 0 ? describePemProblems(problems) : 'no certificate';
      throw new PermanentError(`CertService's answer is unusable: ${field}[${i}]: ${why}`);
    }
    all.push(...certificates);
  });
  return all;
}

/** Chain and trusted roots as the request's status wants them; the leaf must be for the CSR's key. */
export function signedCertificateOf(response: CertificationResponse, csrPem: string): SignedCertificate {
  const chain = certificatesOf(response.certificateChain, 'certificateChain');
  const trusted = certificatesOf(response.trustedCertificates, 'trustedCertificates');
  const leafKey = new X509Certificate(chain[0]).publicKey.export({ format: 'der', type: 'spki' });
  const requested = createPublicKey({ key: Buffer.from(csrPublicKeyDer(csrDer(csrPem))), format: 'der', type: 'spki' }).export({ format: 'der', type: 'spki' });
  if (!leafKey.equals(requested))
    throw new PermanentError("CertService's answer is unusable: the first certificate of certificateChain is not for the requested key");
  // Keep every trusted certificate the server sent, once each, in its order.
  const seen = new Set<string>();
  const roots = trusted.filter((der) => {
    const id = der.toString('base64');
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return {
    chainPem: chain.map((der) => toPem('CERTIFICATE', der)).join(''),
    caPem: roots.map((der) => toPem('CERTIFICATE', der)).join(''),
  };
}

export class CertServiceSigner implements Signer {
  constructor(private readonly options: CertServiceSignerOptions) {}

  async sign(view: RequestView, issuer: IssuerView, signal?: AbortSignal, hooks: SignHooks = {}): Promise<SignedCertificate> {
    const spec = this.certServiceSpec(issuer);
    const privateKeyPem = await this.newPrivateKey(view);
    const renewal = await this.renewalMaterial(view, spec);
    const client = await this.client(spec, issuer.secretsNamespace);
    // CertService runs the CMP transaction itself: all there is to record is that a request goes out.
    try {
      await hooks.beforeSend?.({ kind: 'request' });
    } catch (err) {
      client.close();
      throw err;
    }
    let response: CertificationResponse;
    try {
      response = renewal
        ? await client.update(spec.updateEndpoint!, spec.caName, { csrPem: view.csrPem, privateKeyPem, ...renewal }, signal)
        : await client.certificate(spec.certEndpoint, spec.caName, { csrPem: view.csrPem, privateKeyPem }, signal);
    } catch (err) {
      throw certServiceSignerError(err);
    } finally {
      client.close();
    }
    return signedCertificateOf(response, view.csrPem);
  }

  /** GET the health endpoint over mTLS (SPEC §2). */
  async check(issuer: IssuerView, signal?: AbortSignal): Promise<void> {
    const spec = this.certServiceSpec(issuer);
    const client = await this.client(spec, issuer.secretsNamespace);
    try {
      await client.health(spec.healthEndpoint, signal);
    } catch (err) {
      // A failing health check is never the request's fault: keep retrying (Pending), never Failed.
      if (err instanceof CertServiceHttpError) throw new Error(`CertService health check failed: ${err.message}`, { cause: err });
      throw certServiceSignerError(err);
    } finally {
      client.close();
    }
  }

  private certServiceSpec(issuer: IssuerView): CertServiceSpec {
    if (issuer.spec.backend !== 'certService') throw new IssuerError(`${issuer.kind} ${issuer.name} is not a CertService issuer`);
    return issuer.spec.certService;
  }

  private async client(spec: CertServiceSpec, namespace: string): Promise<CertServiceClient> {
    const ref = spec.certSecretRef;
    const data = await issuerSecret(this.options.secrets, namespace, ref.name, [ref.certRef, ref.keyRef, ref.cacertRef], 'spec.certSecretRef');
    const where = (key: string) => `Secret ${namespace}/${ref.name} ${key}`;
    const cert = data[ref.certRef].toString('utf8');
    const ca = data[ref.cacertRef].toString('utf8');
    if (parseCertificateBundle(cert).certificates.length === 0) throw new IssuerError(`${where(ref.certRef)} holds no readable certificate`);
    if (parseCertificateBundle(ca).certificates.length === 0) throw new IssuerError(`${where(ref.cacertRef)} holds no readable certificate`);
    if (privateKeyOf(data[ref.keyRef]) === undefined) throw new IssuerError(`${where(ref.keyRef)} does not hold a readable PEM private key`);
    const options: CertServiceClientOptions = {
      url: spec.url,
      tlsCa: ca,
      tlsCert: cert,
      tlsKey: data[ref.keyRef].toString('utf8'),
      timeoutMs: this.options.timeoutMs,
    };
    try {
      return new CertServiceClient(options);
    } catch (err) {
      // A certificate that does not match its key, an http:// URL: the issuer must change.
      throw new IssuerError(`spec.certSecretRef / spec.url: ${err instanceof Error ? err.message.replace(/\s+/g, ' ') : String(err)}`, { cause: err });
    }
  }

  /** The PK header: the key cert-manager generated for this request, as PKCS#8 PEM. */
  private async newPrivateKey(view: RequestView): Promise<string> {
    const where = `Secret ${view.namespace}/${view.privateKeySecretName ?? '(no cert-manager.io/private-key-secret-name annotation)'}`;
    const data = view.privateKeySecretName ? await this.options.secrets.readSecret(view.namespace, view.privateKeySecretName) : undefined;
    const pem = data?.['tls.key'];
    // cert-manager writes the key Secret before the request; wait for it rather than fail.
    if (!pem) throw new Error(`CertService needs the private key: ${where} with tls.key not found`);
    const key = privateKeyOf(pem);
    if (!key) throw new PermanentError(`${where} tls.key is not a readable PEM private key`);
    // Sent as PK beside a CSR of another key, CertService's CA would refuse it for good (badPOP).
    if (!isKeyOfSpki(key, csrPublicKeyDer(csrDer(view.csrPem)))) throw keyMovedError(where);
    return key.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  /** OLD_CERT / OLD_PK for a renewal, from the Certificate's Secret; undefined → initial request. */
  private async renewalMaterial(view: RequestView, spec: CertServiceSpec): Promise<{ oldCertificatePem: string; oldPrivateKeyPem: string } | undefined> {
    if (!spec.updateEndpoint || (view.revision ?? 1) <= 1 || !view.certificateName) return undefined;
    const secretName = await this.options.secrets.certificateSecretName(view.namespace, view.certificateName);
    if (!secretName) return undefined;
    const data = await this.options.secrets.readSecret(view.namespace, secretName);
    if (!data?.['tls.crt'] || !data['tls.key']) return undefined;
    const leaf = parseCertificateBundle(data['tls.crt'].toString('utf8')).certificates[0];
    const oldPrivateKeyPem = pkcs8Pem(data['tls.key']);
    if (!leaf || !oldPrivateKeyPem) return undefined; // unreadable old material: enroll afresh
    return { oldCertificatePem: toPem('CERTIFICATE', leaf), oldPrivateKeyPem };
  }
}
