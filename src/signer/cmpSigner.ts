// The native CMP backend behind the Signer contract. Builds a CmpClient from the issuer's
// spec and Secrets, chooses the message (p10cr / ir / cr, kur for renewals) and maps every
// outcome onto the issuer-lib errors:
//   issued → chain + roots; waiting → PendingError (checkAfter, transaction state to resume);
//   CA rejection, failed response checks → PermanentError; transport trouble → plain Error
//   (retried with backoff until the max-retry duration); issuer Secrets missing → IssuerError.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { CmpClient, cmpTransactionStateSchema, type CmpClientOptions, type CmpTransactionState, type EnrollmentRequest, type EnrollmentStep } from '../cmp/client.js';
import { CmpDecodeError, CmpProtocolError, CmpRejectedError, CmpTransportError } from '../cmp/errors.js';
import { parseDistinguishedName } from '../cmp/names.js';
import type { ProtectionCredentials } from '../cmp/protection.js';
import { HttpTransport, type CmpTransport, type HttpTransportOptions } from '../cmp/transport.js';
import { parseDuration } from '../k8s/duration.js';
import type { CmpSpec } from '../api/cmpv2Issuer.js';
import { parseCertificateBundle, toPem } from '../keystore/pem.js';
import { IssuerError } from './issuerError.js';
import { PendingError } from './pendingError.js';
import { PermanentError } from './permanentError.js';
import type { RequestView } from './requestView.js';
import type { SecretSource } from './secretSource.js';
import type { IssuerView, SignedCertificate, Signer } from './signer.js';

export interface CmpSignerOptions {
  secrets: SecretSource;
  /** Builds the transport; default HTTP(S). Tests connect an in-process CA here. */
  transport?: (options: HttpTransportOptions) => CmpTransport;
}

/** A private key from PEM (PKCS#1, PKCS#8 or SEC1); the error never quotes the key. */
function readPrivateKey(pem: Buffer, where: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error(`${where} does not hold a readable PEM private key`);
  }
}

function certificatesDer(pem: Buffer, where: string): Uint8Array[] {
  const bundle = parseCertificateBundle(pem.toString('utf8'));
  if (bundle.certificates.length === 0) throw new Error(`${where} holds no readable certificate`);
  return bundle.certificates.map((der) => new Uint8Array(der));
}

function csrDer(csrPem: string): Uint8Array {
  const body = csrPem.replace(/-----(BEGIN|END) (NEW )?CERTIFICATE REQUEST-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(body, 'base64'));
}

/** The message for the CA's refusal: its own words, failInfo names, and whether it was verified. */
function describeRejection(err: CmpRejectedError): string {
  return err.message;
}

/** Maps CMP library errors onto the signer contract. */
export function toSignerError(err: unknown): unknown {
  if (err instanceof CmpRejectedError) return new PermanentError(describeRejection(err));
  if (err instanceof CmpProtocolError || err instanceof CmpDecodeError) return new PermanentError(`the CA's answer failed a check: ${err.message}`);
  if (err instanceof CmpTransportError) return new Error(`cannot reach the CMP server: ${err.message}`);
  return err;
}

export class CmpSigner implements Signer {
  constructor(private readonly options: CmpSignerOptions) {}

  async sign(view: RequestView, issuer: IssuerView): Promise<SignedCertificate> {
    const spec = this.cmpSpec(issuer);
    const { request, renewalTrust } = await this.enrollmentRequest(view, spec);
    const client = await this.client(spec, issuer.secretsNamespace, renewalTrust);
    let step: EnrollmentStep;
    try {
      const resume = this.resumable(view.resumeState, request.type);
      step = resume ? await client.continueEnrollment(request, resume) : await client.startEnrollment(request);
    } catch (err) {
      throw toSignerError(err);
    }
    switch (step.status) {
      case 'issued':
        return {
          chainPem: step.result.chain.map((der) => toPem('CERTIFICATE', der)).join(''),
          caPem: step.result.trustedRoots.map((der) => toPem('CERTIFICATE', der)).join(''),
        };
      case 'waiting': {
        const why = step.reason.length > 0 ? `: ${step.reason.join('; ')}` : '';
        throw new PendingError(`the CA is processing the request (checkAfter ${step.checkAfterSeconds}s)${why}`, step.checkAfterSeconds * 1000, JSON.stringify(step.state));
      }
      case 'rejected':
        throw new PermanentError(describeRejection(step.error));
    }
  }

  /** genm for the CA certificates; a CA that refuses genm but answers CMP is reachable, which is enough. */
  async check(issuer: IssuerView): Promise<void> {
    const spec = this.cmpSpec(issuer);
    const client = await this.client(spec, issuer.secretsNamespace);
    try {
      await client.getCaCertificates();
    } catch (err) {
      if (err instanceof CmpRejectedError) {
        // Our credentials refused: retrying will not help until the Secret changes.
        if (err.rejection.failInfo.includes('badMessageCheck')) throw new PermanentError(`the CA refused our message protection: ${err.message}`);
        return;
      }
      throw toSignerError(err);
    }
  }

  private cmpSpec(issuer: IssuerView): CmpSpec {
    if (issuer.spec.backend !== 'cmp') throw new IssuerError(`${issuer.kind} ${issuer.name} is not a CMP issuer`);
    return issuer.spec.cmp;
  }

  /** A saved transaction of the same message type, or undefined: an unusable annotation starts afresh. */
  private resumable(state: string | undefined, type: EnrollmentRequest['type']): CmpTransactionState | undefined {
    if (!state) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(state);
    } catch {
      return undefined;
    }
    const parsed = cmpTransactionStateSchema.safeParse(json);
    return parsed.success && parsed.data.type === type ? parsed.data : undefined;
  }

  private async issuerSecret(namespace: string, name: string, keys: readonly string[], field: string): Promise<Record<string, Buffer>> {
    const data = await this.options.secrets.readSecret(namespace, name);
    if (!data) throw new IssuerError(`Secret ${namespace}/${name} (${field}) not found`);
    const missing = keys.filter((k) => !data[k] || data[k].length === 0);
    if (missing.length > 0) throw new IssuerError(`Secret ${namespace}/${name} (${field}) has no key ${missing.join(', ')}`);
    return data;
  }

  /** `renewalTrust`: roots to verify a signed kup with when the spec names no responseTrust. */
  private async client(spec: CmpSpec, namespace: string, renewalTrust?: Uint8Array[]): Promise<CmpClient> {
    let protection: ProtectionCredentials;
    const mac = spec.protection.passwordBasedMac;
    if (mac) {
      const secret = (await this.issuerSecret(namespace, mac.secretRef.name, [mac.secretRef.key], 'passwordBasedMac.secretRef'))[mac.secretRef.key];
      let reference: Uint8Array | undefined;
      if (mac.reference !== undefined) reference = new Uint8Array(Buffer.from(mac.reference, 'utf8'));
      if (mac.referenceSecretRef) {
        const ref = mac.referenceSecretRef;
        reference = new Uint8Array((await this.issuerSecret(namespace, ref.name, [ref.key], 'passwordBasedMac.referenceSecretRef'))[ref.key]);
      }
      protection = { type: 'pbm', secret: new Uint8Array(secret), ...(reference ? { reference } : {}) };
    } else {
      const name = spec.protection.signature!.secretRef.name;
      const data = await this.issuerSecret(namespace, name, ['tls.crt', 'tls.key'], 'signature.secretRef');
      const [certificate, ...chain] = this.issuerCertificates(data['tls.crt'], `Secret ${namespace}/${name} tls.crt`);
      const key = this.issuerKey(data['tls.key'], `Secret ${namespace}/${name} tls.key`);
      protection = { type: 'signature', key, certificate, chain };
    }
    let trusted: Uint8Array[] | undefined;
    if (spec.responseTrust) {
      const ref = spec.responseTrust.caBundleSecretRef;
      trusted = this.issuerCertificates((await this.issuerSecret(namespace, ref.name, [ref.key], 'responseTrust'))[ref.key], `Secret ${namespace}/${ref.name} ${ref.key}`);
    } else if (renewalTrust && renewalTrust.length > 0) {
      // A kur is signed, so the CA signs its answer too: trust the roots the old certificate chains to.
      trusted = renewalTrust;
    }
    const transportOptions: HttpTransportOptions = { url: spec.url, timeoutMs: parseDuration(spec.timeout) };
    if (spec.tls?.caBundleSecretRef) {
      const ref = spec.tls.caBundleSecretRef;
      transportOptions.tlsCa = (await this.issuerSecret(namespace, ref.name, [ref.key], 'tls.caBundleSecretRef'))[ref.key].toString('utf8');
    }
    if (spec.tls?.clientCertSecretRef) {
      const name = spec.tls.clientCertSecretRef.name;
      const data = await this.issuerSecret(namespace, name, ['tls.crt', 'tls.key'], 'tls.clientCertSecretRef');
      transportOptions.tlsCert = data['tls.crt'].toString('utf8');
      transportOptions.tlsKey = data['tls.key'].toString('utf8');
    }
    let recipient: CmpClientOptions['recipient'];
    if (spec.recipient) {
      try {
        recipient = parseDistinguishedName(spec.recipient);
      } catch (err) {
        throw new IssuerError(`spec.cmp.recipient: ${(err as Error).message}`);
      }
    }
    const transport = (this.options.transport ?? ((o) => new HttpTransport(o)))(transportOptions);
    return new CmpClient({ transport, protection, trusted, recipient, implicitConfirm: spec.implicitConfirm });
  }

  private issuerCertificates(pem: Buffer, where: string): Uint8Array[] {
    try {
      return certificatesDer(pem, where);
    } catch (err) {
      throw new IssuerError((err as Error).message);
    }
  }

  private issuerKey(pem: Buffer, where: string): KeyObject {
    try {
      return readPrivateKey(pem, where);
    } catch (err) {
      throw new IssuerError((err as Error).message);
    }
  }

  /** p10cr / ir / cr as configured; kur for a renewal when the old certificate and key are at hand. */
  private async enrollmentRequest(view: RequestView, spec: CmpSpec): Promise<{ request: EnrollmentRequest; renewalTrust?: Uint8Array[] }> {
    const csr = csrDer(view.csrPem);
    const newKey = async (): Promise<KeyObject | undefined> => {
      if (!view.privateKeySecretName) return undefined;
      const data = await this.options.secrets.readSecret(view.namespace, view.privateKeySecretName);
      const pem = data?.['tls.key'];
      return pem ? readPrivateKey(pem, `Secret ${view.namespace}/${view.privateKeySecretName} tls.key`) : undefined;
    };
    if (spec.renewal === 'kur' && (view.revision ?? 1) > 1 && view.certificateName) {
      const old = await this.previousMaterial(view.namespace, view.certificateName);
      const privateKey = old ? await newKey() : undefined;
      if (old && privateKey) {
        return { request: { type: 'kur', csr, privateKey, oldCertificate: old.certificate, oldChain: old.chain, oldPrivateKey: old.key }, renewalTrust: old.roots };
      }
      // Old material or new key missing: fall back to an initial request (SPEC §3).
    }
    if (spec.messageType === 'p10cr') return { request: { type: 'p10cr', csr } };
    const privateKey = await newKey();
    if (!privateKey) {
      // cert-manager writes the key Secret before the request; wait for it rather than fail.
      throw new Error(`${spec.messageType} needs the private key: Secret ${view.namespace}/${view.privateKeySecretName ?? '(no cert-manager.io/private-key-secret-name annotation)'} with tls.key not found`);
    }
    return { request: { type: spec.messageType, csr, privateKey } };
  }

  /** The certificate being renewed and its key, from the Certificate's Secret (never from annotations). */
  private async previousMaterial(
    namespace: string,
    certificateName: string,
  ): Promise<{ certificate: Uint8Array; chain: Uint8Array[]; key: KeyObject; roots: Uint8Array[] } | undefined> {
    const secretName = await this.options.secrets.certificateSecretName(namespace, certificateName);
    if (!secretName) return undefined;
    const data = await this.options.secrets.readSecret(namespace, secretName);
    if (!data?.['tls.crt'] || !data['tls.key']) return undefined;
    try {
      const [certificate, ...chain] = certificatesDer(data['tls.crt'], `Secret ${namespace}/${secretName} tls.crt`);
      const roots = data['ca.crt'] ? parseCertificateBundle(data['ca.crt'].toString('utf8')).certificates.map((der) => new Uint8Array(der)) : [];
      return { certificate, chain, key: readPrivateKey(data['tls.key'], `Secret ${namespace}/${secretName} tls.key`), roots };
    } catch {
      return undefined; // unreadable old material: enroll afresh
    }
  }
}
