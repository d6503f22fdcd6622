// Message protection (RFC 9810 §5.1.3): the protection value covers DER(ProtectedPart {header, body}).
// PBM with a shared secret, or a signature whose signer certificate (and chain) travel in extraCerts
// and whose senderKID is the signer's subject key identifier. A received signature counts only
// when its signer certificate is the header's sender, may sign (keyUsage digitalSignature when
// the extension is present), and chains to the trust anchors (cf. OpenSSL cert_acceptable).
import { type KeyObject } from 'node:crypto';
import * as pkijs from 'pkijs';
import { decodePBMParameter } from './asn1/PBMParameter.js';
import { directoryName, type PKIHeader } from './asn1/PKIHeader.js';
import { type PKIMessage, protectedPartDer } from './asn1/PKIMessage.js';
import { certificateConstraints, parseCertificate, readX509, sameBytes, subjectKeyIdentifier } from './certificates.js';
import { checkCriticalExtensions, verifyCertificateChain } from './chain.js';
import { formatDistinguishedName } from './names.js';
import { CmpDecodeError, CmpProtocolError } from './errors.js';
import { ID_PASSWORD_BASED_MAC, newPbmParameter, pbmAlgorithmIdentifier, pbmMac, pbmVerify, type PbmOptions } from './pbm.js';
import { signData } from './signature.js';
import { signatureScheme, verifySignature } from './signatureAlgorithms.js';

/** How we protect messages we send. */
export type ProtectionCredentials =
  | {
      type: 'pbm';
      /** The shared secret (ONAP "iak"). */
      secret: Uint8Array;
      /** Reference value sent as senderKID (ONAP "rv"). */
      reference?: Uint8Array;
      /** header.sender; NULL-DN when absent (then `reference` is required, RFC 9810 §5.1.1). */
      sender?: pkijs.RelativeDistinguishedNames;
      pbm?: PbmOptions;
    }
  | {
      type: 'signature';
      key: KeyObject;
      /** DER of the signer certificate; its subject becomes header.sender, its SKI senderKID. */
      certificate: Uint8Array;
      /** DER of intermediates to send after the signer certificate. */
      chain?: Uint8Array[];
    };

/** What a received message's protection is checked against. */
export interface ProtectionTrust {
  /** Shared secret for PBM-protected messages. */
  secret?: Uint8Array;
  /** Trust anchors for signature-protected messages. */
  trusted?: Uint8Array[];
  /** Validation time for certificates; default now. */
  at?: Date;
}

export interface VerifiedProtection {
  type: 'pbm' | 'signature';
  /** DER of the certificate whose key signed, for signature protection. */
  signer?: Uint8Array;
}

/** A message before protection: header and body are final except protectionAlg / senderKID / sender. */
export type UnprotectedMessage = Pick<PKIMessage, 'header' | 'body' | 'extraCerts'>;

/** Adds protectionAlg, senderKID (and, for signatures, sender and extraCerts) and the protection value. */
export function protectMessage(message: UnprotectedMessage, credentials: ProtectionCredentials): PKIMessage {
  if (credentials.type === 'pbm') {
    const parameter = newPbmParameter(credentials.pbm);
    const header: PKIHeader = { ...message.header, protectionAlg: pbmAlgorithmIdentifier(parameter) };
    if (credentials.sender) header.sender = directoryName(credentials.sender);
    if (credentials.reference) header.senderKID = credentials.reference;
    const protection = pbmMac(credentials.secret, parameter, protectedPartDer({ header, body: message.body }));
    return { header, body: message.body, protection, ...(message.extraCerts?.length ? { extraCerts: message.extraCerts } : {}) };
  }
  const cert = parseCertificate(credentials.certificate);
  const header: PKIHeader = { ...message.header, sender: directoryName(cert.subject) };
  const ski = subjectKeyIdentifier(credentials.certificate);
  if (ski) header.senderKID = ski;
  else delete header.senderKID;
  // The algorithm identifier is known before signing: it depends only on the key.
  const probe = signData(credentials.key, new Uint8Array(0));
  header.protectionAlg = probe.algorithm;
  const { signature } = signData(credentials.key, protectedPartDer({ header, body: message.body }));
  const extraCerts = [credentials.certificate, ...(credentials.chain ?? [])];
  for (const extra of message.extraCerts ?? []) if (!extraCerts.some((c) => sameBytes(c, extra))) extraCerts.push(extra);
  return { header, body: message.body, protection: signature, extraCerts };
}

/** Which protection a message carries, from its protectionAlg. */
export function protectionType(message: PKIMessage): 'pbm' | 'signature' | 'none' {
  const alg = message.header.protectionAlg;
  if (!alg || !message.protection) return 'none';
  return alg.algorithmId === ID_PASSWORD_BASED_MAC ? 'pbm' : 'signature';
}

function signerCandidates(message: PKIMessage, trust: ProtectionTrust): Uint8Array[] {
  const all = [...(message.extraCerts ?? []), ...(trust.trusted ?? [])];
  const kid = message.header.senderKID;
  const sender = message.header.sender;
  return all.filter((der) => {
    let cert: pkijs.Certificate;
    try {
      cert = parseCertificate(der);
    } catch {
      return false;
    }
    if (kid) {
      const ski = subjectKeyIdentifier(der);
      if (ski) return sameBytes(ski, kid);
    }
    return sender.type === 4 && (sender.value as pkijs.RelativeDistinguishedNames).isEqual(cert.subject);
  });
}

function senderText(header: PKIHeader): string {
  const sender = header.sender;
  if (sender.type !== 4) return `(a GeneralName of type ${sender.type}, not a directoryName)`;
  const dn = sender.value as pkijs.RelativeDistinguishedNames;
  return dn.typesAndValues.length === 0 ? '(NULL-DN)' : formatDistinguishedName(dn);
}

/** The certificate whose key made the signature must be the sender's, allowed to sign, with no critical extension we cannot judge. */
function acceptableSigner(der: Uint8Array, header: PKIHeader): void {
  const cert = parseCertificate(der);
  const sender = header.sender;
  if (sender.type !== 4 || !(sender.value as pkijs.RelativeDistinguishedNames).isEqual(cert.subject)) {
    throw new CmpProtocolError(
      `the signer certificate's subject "${formatDistinguishedName(cert.subject)}" is not the header's sender ${JSON.stringify(senderText(header))}`,
    );
  }
  const usage = certificateConstraints(der).keyUsage;
  if (usage && !usage.has('digitalSignature')) {
    throw new CmpProtocolError(`the signer certificate "${formatDistinguishedName(cert.subject)}" may not sign messages (its keyUsage lacks digitalSignature)`);
  }
  const x509 = readX509(der);
  if (!x509) throw new CmpProtocolError('signer certificate is not a readable X.509 certificate');
  checkCriticalExtensions(x509);
}

/** Verifies the protection of a received message; throws CmpProtocolError saying what is wrong. */
export function verifyProtection(message: PKIMessage, trust: ProtectionTrust): VerifiedProtection {
  const type = protectionType(message);
  if (type === 'none') throw new CmpProtocolError('message is not protected');
  const data = protectedPartDer(message);
  const protection = message.protection as Uint8Array;
  const alg = message.header.protectionAlg as pkijs.AlgorithmIdentifier;
  if (type === 'pbm') {
    if (!trust.secret) throw new CmpProtocolError('message is protected with a password-based MAC but no shared secret is configured');
    if (!alg.algorithmParams) throw new CmpProtocolError('PBM protection without parameters');
    let parameter;
    try {
      parameter = decodePBMParameter(alg.algorithmParams);
    } catch (err) {
      throw new CmpProtocolError(`PBM parameters: ${err instanceof CmpDecodeError ? err.message : String(err)}`);
    }
    if (!pbmVerify(trust.secret, parameter, data, protection)) {
      throw new CmpProtocolError('password-based MAC does not verify (wrong shared secret?)');
    }
    return { type: 'pbm' };
  }
  // The algorithm and its parameters first: an unknown one is refused by name, not as "does not verify".
  const scheme = signatureScheme(alg);
  if (!trust.trusted?.length) throw new CmpProtocolError('message is signature-protected but no trusted certificates are configured');
  const candidates = signerCandidates(message, trust);
  if (candidates.length === 0) throw new CmpProtocolError('signer certificate (matching senderKID/sender) not found in extraCerts');
  let chainError: CmpProtocolError | undefined;
  for (const candidate of candidates) {
    const spki = new Uint8Array(parseCertificate(candidate).subjectPublicKeyInfo.toSchema().toBER(false));
    if (!verifySignature(spki, alg, data, protection)) continue;
    acceptableSigner(candidate, message.header);
    try {
      verifyCertificateChain(candidate, { trusted: trust.trusted, untrusted: message.extraCerts, at: trust.at });
      return { type: 'signature', signer: candidate };
    } catch (err) {
      chainError = err as CmpProtocolError;
    }
  }
  throw chainError ?? new CmpProtocolError(`signature protection (${scheme.name}) does not verify`);
}
