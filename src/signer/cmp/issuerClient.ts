// A CmpClient configured from a CMP issuer's spec and Secrets: message protection (PBM secret
// and reference or sender, or signature key and certificate), the trust anchors for signed answers
// (responseTrust, else the CA certificates of the issuer's verified genm — never a Secret's
// ca.crt), the roots known from that genm, the transport (URL, timeout, TLS) and the recipient. Anything wrong here is the issuer's fault
// (IssuerError, with the reading error as its cause).
import type { KeyObject } from 'node:crypto';
import { CmpClient, type CmpClientOptions } from '../../cmp/client.js';
import { parseDistinguishedName } from '../../cmp/names.js';
import type { ProtectionCredentials } from '../../cmp/protection.js';
import type { CmpTransport, HttpTransportOptions } from '../../cmp/transport.js';
import type { CmpSpec } from '../../api/cmpv2Issuer.js';
import { parseDuration } from '../../k8s/duration.js';
import { IssuerError } from '../errors.js';
import { issuerSecret, type SecretSource } from '../secretSource.js';
import { certificatesDer, readPrivateKey } from './keys.js';

export interface IssuerClientDeps {
  secrets: SecretSource;
  transport: (options: HttpTransportOptions) => CmpTransport;
}

/** `knownRoots`: the issuer's status.caCertificates (from a verified genm), DER. */
export async function issuerCmpClient(spec: CmpSpec, namespace: string, deps: IssuerClientDeps, knownRoots: Uint8Array[] = []): Promise<CmpClient> {
  const secret = (name: string, keys: readonly string[], field: string) => issuerSecret(deps.secrets, namespace, name, keys, field);
  let protection: ProtectionCredentials;
  const mac = spec.protection.passwordBasedMac;
  if (mac) {
    const password = (await secret(mac.secretRef.name, [mac.secretRef.key], 'passwordBasedMac.secretRef'))[mac.secretRef.key];
    let reference: Uint8Array | undefined;
    if (mac.reference !== undefined) reference = new Uint8Array(Buffer.from(mac.reference, 'utf8'));
    if (mac.referenceSecretRef) {
      const ref = mac.referenceSecretRef;
      reference = new Uint8Array((await secret(ref.name, [ref.key], 'passwordBasedMac.referenceSecretRef'))[ref.key]);
    }
    const sender = spec.sender !== undefined ? distinguishedName(spec.sender, 'spec.cmp.sender') : undefined;
    if (!reference?.length && !sender) {
      throw new IssuerError('passwordBasedMac needs an identity: set protection.passwordBasedMac.reference (or referenceSecretRef) or spec.cmp.sender');
    }
    protection = { type: 'pbm', secret: new Uint8Array(password), ...(reference ? { reference } : {}), ...(sender ? { sender } : {}) };
  } else {
    const name = spec.protection.signature!.secretRef.name;
    const data = await secret(name, ['tls.crt', 'tls.key'], 'signature.secretRef');
    const [certificate, ...chain] = issuerCertificates(data['tls.crt'], `Secret ${namespace}/${name} tls.crt`);
    const key = issuerKey(data['tls.key'], `Secret ${namespace}/${name} tls.key`);
    protection = { type: 'signature', key, certificate, chain };
  }
  let trusted: Uint8Array[] | undefined;
  if (spec.responseTrust) {
    const ref = spec.responseTrust.caBundleSecretRef;
    trusted = issuerCertificates((await secret(ref.name, [ref.key], 'responseTrust'))[ref.key], `Secret ${namespace}/${ref.name} ${ref.key}`);
  } else if (knownRoots.length > 0) {
    // A kur is signed, so the CA signs its answer too: trust the roots the issuer's verified genm named.
    trusted = knownRoots;
  }
  const transportOptions: HttpTransportOptions = { url: spec.url, timeoutMs: parseDuration(spec.timeout) };
  if (spec.tls?.caBundleSecretRef) {
    const ref = spec.tls.caBundleSecretRef;
    transportOptions.tlsCa = (await secret(ref.name, [ref.key], 'tls.caBundleSecretRef'))[ref.key].toString('utf8');
  }
  if (spec.tls?.clientCertSecretRef) {
    const name = spec.tls.clientCertSecretRef.name;
    const data = await secret(name, ['tls.crt', 'tls.key'], 'tls.clientCertSecretRef');
    transportOptions.tlsCert = data['tls.crt'].toString('utf8');
    transportOptions.tlsKey = data['tls.key'].toString('utf8');
  }
  const recipient: CmpClientOptions['recipient'] = spec.recipient ? distinguishedName(spec.recipient, 'spec.cmp.recipient') : undefined;
  return new CmpClient({
    transport: deps.transport(transportOptions),
    protection,
    trusted,
    knownRoots,
    recipient,
    implicitConfirm: spec.implicitConfirm,
  });
}

function distinguishedName(text: string, field: string): NonNullable<CmpClientOptions['recipient']> {
  try {
    return parseDistinguishedName(text);
  } catch (err) {
    throw new IssuerError(`${field}: ${(err as Error).message}`, { cause: err });
  }
}

function issuerCertificates(pem: Buffer, where: string): Uint8Array[] {
  try {
    return certificatesDer(pem, where);
  } catch (err) {
    throw new IssuerError((err as Error).message, { cause: err });
  }
}

function issuerKey(pem: Buffer, where: string): KeyObject {
  try {
    return readPrivateKey(pem, where);
  } catch (err) {
    throw new IssuerError((err as Error).message, { cause: err });
  }
}
