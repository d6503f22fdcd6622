// PKIMessage ::= SEQUENCE {                        -- RFC 9810 §5.1
//     header      PKIHeader,
//     body        PKIBody,
//     protection  [0] PKIProtection  OPTIONAL,    -- [0] EXPLICIT BIT STRING
//     extraCerts  [1] SEQUENCE SIZE (1..MAX) OF CMPCertificate OPTIONAL }   -- [1] EXPLICIT
// ProtectedPart ::= SEQUENCE { header PKIHeader, body PKIBody }
// Protection covers DER(ProtectedPart). A decoded message keeps the header and body bytes exactly as
// received, so verification never depends on re-encoding.
import * as asn1js from 'asn1js';
import { CmpDecodeError } from '../errors.js';
import { bitString, derOf, derTlv, explicit, explicitInner, guarded, parseDer, sequence, taggedFields, toDer } from './der.js';
import { decodePKIBody, encodePKIBody, type PKIBody } from './PKIBody.js';
import { decodePKIHeader, encodePKIHeader, type PKIHeader } from './PKIHeader.js';

export interface PKIMessage {
  header: PKIHeader;
  body: PKIBody;
  /** Signature or MAC value (BIT STRING content). */
  protection?: Uint8Array;
  /** DER certificates: the signer's certificate first, then its chain (and, from a CA, roots). */
  extraCerts?: Uint8Array[];
  /** Decoding only: header and body DER exactly as received. */
  received?: { header: Uint8Array; body: Uint8Array };
}

/** Largest message accepted by `decodePKIMessage` (a CMP message is a few kilobytes). */
export const MAX_PKI_MESSAGE_BYTES = 1024 * 1024;

/** DER of ProtectedPart: the received header/body bytes when decoded, else a fresh encoding. */
export function protectedPartDer(msg: Pick<PKIMessage, 'header' | 'body' | 'received'>): Uint8Array {
  const header = msg.received?.header ?? toDer(encodePKIHeader(msg.header));
  const body = msg.received?.body ?? toDer(encodePKIBody(msg.body));
  return derTlv(0x30, [header, body]);
}

export function encodePKIMessage(msg: PKIMessage): Uint8Array {
  const parts = [msg.received?.header ?? toDer(encodePKIHeader(msg.header)), msg.received?.body ?? toDer(encodePKIBody(msg.body))];
  if (msg.protection) parts.push(toDer(explicit(0, new asn1js.BitString({ valueHex: msg.protection, unusedBits: 0 }))));
  // Certificates go in as they are: assembled, not re-encoded.
  if (msg.extraCerts?.length) parts.push(derTlv(0xa1, [derTlv(0x30, msg.extraCerts)]));
  return derTlv(0x30, parts);
}

/** Decodes a PKIMessage. Throws only CmpDecodeError, whatever the input. */
export function decodePKIMessage(bytes: Uint8Array): PKIMessage {
  return guarded('PKIMessage', () => {
    if (bytes.byteLength > MAX_PKI_MESSAGE_BYTES) throw new CmpDecodeError(`PKIMessage: ${bytes.byteLength} bytes is too large`);
    const items = sequence(parseDer(bytes, 'PKIMessage'), 'PKIMessage');
    if (items.length < 2) throw new CmpDecodeError('PKIMessage: expected header and body');
    const msg: PKIMessage = {
      header: decodePKIHeader(items[0]),
      body: decodePKIBody(items[1]),
      received: { header: derOf(items[0]), body: derOf(items[1]) },
    };
    const fields = taggedFields(items.slice(2), [0, 1], 'PKIMessage');
    const protection = fields.get(0);
    if (protection) {
      const bits = bitString(explicitInner(protection, 0, 'PKIMessage.protection'), 'PKIMessage.protection');
      if (bits.unusedBits !== 0) throw new CmpDecodeError('PKIMessage.protection: unused bits');
      msg.protection = bits.bytes;
    }
    const extra = fields.get(1);
    if (extra) {
      const certs = sequence(explicitInner(extra, 1, 'PKIMessage.extraCerts'), 'PKIMessage.extraCerts');
      msg.extraCerts = certs.map((cert, i) => {
        sequence(cert, `PKIMessage.extraCerts[${i}]`);
        return derOf(cert);
      });
    }
    return msg;
  });
}
